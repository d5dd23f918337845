import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, stat, symlink, writeFile, lstat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localPathHost } from './local-path.js';

const NAME = 'pvc-0f4f7a52-1d2e-4c3b-9a8b-7c6d5e4f3a2b';
const asRoot = process.getuid?.() === 0;

test('local-path host: root-only base, world-writable volume, idempotent create and remove', { skip: !asRoot && 'needs root (ownership checks)' }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'peapod-lp-'));
  try {
    const host = localPathHost(join(root, 'volumes', 'local-path'));
    const path = await host.create(NAME);
    assert.equal(path, join(root, 'volumes', 'local-path', NAME));
    assert.equal((await stat(join(root, 'volumes', 'local-path'))).mode & 0o777, 0o700);
    assert.equal((await stat(path)).mode & 0o777, 0o777);
    await writeFile(join(path, 'data'), 'kept');
    assert.equal(await host.create(NAME), path);
    assert.deepEqual(await readdir(path), ['data']);
    assert.deepEqual(await host.list(), [NAME]);
    await host.remove(NAME);
    await host.remove(NAME);
    assert.deepEqual(await host.list(), []);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('local-path host: a link planted at a volume name is refused, and removal never follows links', { skip: !asRoot && 'needs root' }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'peapod-lp-'));
  try {
    const base = join(root, 'local-path');
    const host = localPathHost(base);
    const outside = join(root, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'precious'), 'x');
    await host.create(NAME);
    // A container could leave a link to the host's files inside its volume: rm must remove the link only.
    await symlink(outside, join(base, NAME, 'escape'));
    await host.remove(NAME);
    assert.equal((await lstat(join(outside, 'precious'))).isFile(), true);
    await symlink(outside, join(base, NAME));
    await assert.rejects(host.create(NAME), /not a root-owned directory/);
    await host.remove(NAME);
    assert.equal((await lstat(join(outside, 'precious'))).isFile(), true);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('local-path host: only provisioner-made names', () => {
  const host = localPathHost('/nonexistent/base');
  for (const bad of ['../etc', 'pvc-../../x', 'data-web-0', 'pvc-', 'pvc-ABC']) assert.throws(() => host.pathOf(bad), /not a provisioner-made name/);
});
