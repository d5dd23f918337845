import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as promises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as quick from './quick-fs.js';

test('quick-fs reads as fs/promises does: contents, listings, stats and links', async () => {
  const dir = await promises.mkdtemp(join(tmpdir(), 'quick-fs-'));
  try {
    await promises.mkdir(join(dir, 'a/b'), { recursive: true });
    await promises.writeFile(join(dir, 'a/f'), 'text\n');
    await promises.symlink('f', join(dir, 'a/link'));
    assert.equal(await quick.readFile(join(dir, 'a/f'), 'utf8'), await promises.readFile(join(dir, 'a/f'), 'utf8'));
    assert.deepEqual(await quick.readFile(join(dir, 'a/f')), await promises.readFile(join(dir, 'a/f')));
    assert.deepEqual((await quick.readdir(join(dir, 'a'))).sort(), (await promises.readdir(join(dir, 'a'))).sort());
    const typed = await quick.readdir(join(dir, 'a'), { withFileTypes: true });
    assert.deepEqual(
      typed.filter((e) => e.isDirectory()).map((e) => e.name),
      ['b'],
    );
    assert.equal((await quick.stat(join(dir, 'a/link'))).isFile(), true);
    assert.equal((await quick.lstat(join(dir, 'a/link'))).isSymbolicLink(), true);
    assert.equal(await quick.readlink(join(dir, 'a/link')), 'f');
    assert.equal(await quick.realpath(join(dir, 'a/link')), await promises.realpath(join(dir, 'a/f')));
    assert.equal((await quick.statfs(dir)).type, (await promises.statfs(dir)).type);
    await quick.access(join(dir, 'a/f'));
  } finally {
    await promises.rm(dir, { recursive: true, force: true });
  }
});

test('a failure is a rejected promise carrying the errno code, never a synchronous throw', async () => {
  const missing = join(tmpdir(), `quick-fs-missing-${process.pid}`, 'x');
  let pending: Promise<string> | undefined;
  assert.doesNotThrow(() => {
    pending = quick.readFile(missing, 'utf8');
  });
  await assert.rejects(pending ?? Promise.resolve(''), (err: NodeJS.ErrnoException) => err.code === 'ENOENT' && err.path === missing);
  await assert.rejects(quick.stat(missing), { code: 'ENOENT' });
  await assert.rejects(quick.readdir(missing), { code: 'ENOENT' });
  await assert.rejects(quick.access(missing), { code: 'ENOENT' });
});
