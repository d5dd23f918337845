import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePauseRootfs, pauseRootEntries } from './pause-rootfs.js';

const DESTINATIONS = ['/proc', '/dev', '/dev/pts', '/dev/mqueue', '/sys', '/catatonit', '/dev/shm'];

test('pauseRootEntries: the top-level mount points, the pause binary a file', () => {
  assert.deepEqual(pauseRootEntries(DESTINATIONS), { dirs: ['proc', 'dev', 'sys'], files: ['catatonit'] });
});

test('ensurePauseRootfs makes the shared root and its mount points once; a second call changes nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pause-rootfs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const rootfs = join(dir, 'pause-rootfs');
  await Promise.all([ensurePauseRootfs(rootfs, DESTINATIONS), ensurePauseRootfs(rootfs, DESTINATIONS)]);
  assert.deepEqual((await readdir(rootfs)).sort(), ['catatonit', 'dev', 'proc', 'sys']);
  assert.equal((await stat(join(rootfs, 'catatonit'))).isFile(), true);
  const before = (await stat(rootfs)).mtimeMs;
  await ensurePauseRootfs(rootfs, DESTINATIONS);
  assert.equal((await stat(rootfs)).mtimeMs, before);
});
