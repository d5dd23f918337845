import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSubPath } from './safe-open.js';

async function withVolume(fn: (vol: string, outside: string) => Promise<void>): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'peapod-subpath-'));
  try {
    const vol = join(base, 'vol');
    const outside = join(base, 'outside');
    await mkdir(vol, { mode: 0o777 });
    await mkdir(outside);
    await fn(vol, outside);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

const target = async (vol: string, sub: string): Promise<string> => {
  const opened = await openSubPath(vol, sub, 'volumeMounts[0].subPath');
  try {
    return await readlink(`/proc/self/fd/${opened.handle.fd}`);
  } finally {
    await opened.handle.close();
  }
};

test('missing directories are created inside the volume with its mode; an existing file can be the last component', async () => {
  await withVolume(async (vol) => {
    assert.equal(await target(vol, 'a/b/c'), join(vol, 'a/b/c'));
    assert.equal((await stat(join(vol, 'a/b'))).mode & 0o7777, (await stat(vol)).mode & 0o7777);
    await writeFile(join(vol, 'a/f'), 'x');
    const opened = await openSubPath(vol, 'a/f', 'f');
    assert.equal(opened.isDirectory, false);
    await opened.handle.close();
  });
});

test('a symlink that stays inside the volume is followed, as the kubelet does (configMap keys are such links)', async () => {
  await withVolume(async (vol) => {
    await mkdir(join(vol, '..2026'));
    await writeFile(join(vol, '..2026/key'), 'v');
    await symlink('..2026', join(vol, '..data'));
    await symlink('..data/key', join(vol, 'key'));
    assert.equal(await target(vol, 'key'), join(vol, '..2026/key'));
  });
});

test('a symlink out of the volume is refused and nothing is created outside it', async () => {
  await withVolume(async (vol, outside) => {
    await symlink('/', join(vol, 'root'));
    await symlink(outside, join(vol, 'out'));
    await symlink('../outside', join(vol, 'rel'));
    await assert.rejects(target(vol, 'root'), /volumeMounts\[0\]\.subPath: "root" resolves outside its volume/);
    await assert.rejects(target(vol, 'out/x/y'), /resolves outside its volume/);
    await assert.rejects(target(vol, 'rel/x'), /resolves outside its volume/);
    await assert.rejects(lstat(join(outside, 'x')), { code: 'ENOENT' });
  });
});

test('a dangling symlink is never created through, and a non-directory in the middle is refused', async () => {
  await withVolume(async (vol, outside) => {
    await symlink(join(outside, 'made'), join(vol, 'dangling'));
    await assert.rejects(target(vol, 'dangling'), /"dangling" is a symlink/);
    await assert.rejects(lstat(join(outside, 'made')), { code: 'ENOENT' });
    await writeFile(join(vol, 'file'), '');
    await assert.rejects(target(vol, 'file/x'), /ENOTDIR|is not a directory/);
  });
});
