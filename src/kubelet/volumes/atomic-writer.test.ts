import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPayload, payloadDirPrefix, writeAtomic } from './atomic-writer.js';

const file = (path: string, text: string, mode = 0o644) => ({ path, content: Buffer.from(text), mode });

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'peapod-atomic-'));
  try {
    await fn(join(base, 'vol'));
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

test('payload directory names follow the kubelet: ..YYYY_MM_DD_HH_MM_SS. in UTC', () => {
  assert.equal(payloadDirPrefix(new Date(Date.UTC(2026, 11, 7, 5, 20, 0, 123))), '..2026_12_07_05_20_00.');
});

test('buildPayload refuses .. paths, reserved ..names, absolute paths and a file that is also a directory', () => {
  assert.throws(() => buildPayload([file('../x', '')]), /must be a relative path without/);
  assert.throws(() => buildPayload([file('/x', '')]), /must be a relative path/);
  assert.throws(() => buildPayload([file('..data', '')]), /"\.\.data"/);
  assert.throws(() => buildPayload([file('a', ''), file('a/b', '')]), /"a": is both a file and the directory of "a\/b"/);
  assert.deepEqual([...buildPayload([file('./a//b', 'x')]).keys()], ['a/b']);
});

test('the layout: ..data -> timestamped dir, user-visible names are symlinks into ..data, modes kept', async () => {
  await withDir(async (dir) => {
    assert.equal(
      await writeAtomic(dir, [file('color', 'blue'), file('nested/deep.txt', 'x', 0o600)], { now: new Date(Date.UTC(2026, 11, 7, 5, 20, 0)) }),
      true,
    );
    const data = await readlink(join(dir, '..data'));
    assert.match(data, /^\.\.2026_12_07_05_20_00\.\w+$/);
    assert.equal(await readlink(join(dir, 'color')), '..data/color');
    assert.equal(await readlink(join(dir, 'nested')), '..data/nested');
    assert.equal(await readFile(join(dir, 'color'), 'utf8'), 'blue');
    assert.equal((await stat(join(dir, 'nested/deep.txt'))).mode & 0o777, 0o600);
    assert.deepEqual((await readdir(dir)).sort(), ['..data', data, 'color', 'nested'].sort());
  });
});

test('an unchanged payload is not rewritten; a change is swapped in and the old directory and dropped names go', async () => {
  await withDir(async (dir) => {
    await writeAtomic(dir, [file('a', '1'), file('b', '2')]);
    const first = await readlink(join(dir, '..data'));
    assert.equal(await writeAtomic(dir, [file('a', '1'), file('b', '2')]), false);
    assert.equal(await readlink(join(dir, '..data')), first);
    assert.equal(await writeAtomic(dir, [file('a', 'one')]), true);
    const second = await readlink(join(dir, '..data'));
    assert.notEqual(second, first);
    assert.equal(await readFile(join(dir, 'a'), 'utf8'), 'one');
    assert.deepEqual((await readdir(dir)).sort(), ['..data', second, 'a'].sort());
  });
});

test('a flat layout, a stray ..data_tmp and a half-written payload dir from a crash are replaced, never written through', async () => {
  await withDir(async (dir) => {
    const outside = join(dir, '..', 'outside');
    await mkdir(dir, { recursive: true });
    await writeFile(outside, 'untouched');
    // An old flat file, a symlink planted where a key goes, crash leftovers.
    await writeFile(join(dir, 'a'), 'old');
    await symlink(outside, join(dir, 'b'));
    await symlink('nowhere', join(dir, '..data_tmp'));
    await mkdir(join(dir, '..2020_01_01_00_00_00.xyz'));
    await writeAtomic(dir, [file('a', 'new-a'), file('b', 'new-b')]);
    assert.equal(await readFile(outside, 'utf8'), 'untouched');
    assert.equal(await readFile(join(dir, 'b'), 'utf8'), 'new-b');
    assert.equal(await readlink(join(dir, 'a')), '..data/a');
    const data = await readlink(join(dir, '..data'));
    assert.deepEqual((await readdir(dir)).sort(), ['..data', data, 'a', 'b'].sort());
    assert.ok((await lstat(join(dir, 'b'))).isSymbolicLink());
  });
});

test('a ..data pointing outside the volume is not trusted: the payload is written afresh', async () => {
  await withDir(async (dir) => {
    await mkdir(dir, { recursive: true });
    await symlink('/etc', join(dir, '..data'));
    assert.equal(await writeAtomic(dir, [file('hosts', 'mine')]), true);
    assert.match(await readlink(join(dir, '..data')), /^\.\.\d{4}_/);
    assert.equal(await readFile(join(dir, 'hosts'), 'utf8'), 'mine');
  });
});
