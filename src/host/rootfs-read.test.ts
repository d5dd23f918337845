import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileInRoot, resolveInRoot } from './rootfs-read.js';

test('files are read as the container sees them, never outside the root', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rootfs-read-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  const outside = join(dir, 'secret');
  await writeFile(outside, 'host secret\n');
  await mkdir(join(root, 'etc'), { recursive: true });
  await mkdir(join(root, 'usr/lib'), { recursive: true });
  await writeFile(join(root, 'etc/passwd'), 'root:x:0:0::/:/bin/sh\n');
  await writeFile(join(root, 'usr/lib/group'), 'root:x:0:\n');
  await symlink('../usr/lib/group', join(root, 'etc/group'));
  await symlink(outside, join(root, 'etc/absolute'));
  await symlink('../../../../../../..' + outside, join(root, 'etc/climbing'));
  await symlink('loop2', join(root, 'etc/loop1'));
  await symlink('loop1', join(root, 'etc/loop2'));
  await mkdir(join(root, 'dir'));

  assert.equal(await readFileInRoot(root, '/etc/passwd', 1024), 'root:x:0:0::/:/bin/sh\n');
  assert.equal(await readFileInRoot(root, '/etc/group', 1024), 'root:x:0:\n');
  // Both links point at the host's file; inside the root they name paths that do not exist.
  assert.equal(await readFileInRoot(root, '/etc/absolute', 1024), undefined);
  assert.equal(await readFileInRoot(root, '/etc/climbing', 1024), undefined);
  assert.equal(await resolveInRoot(root, '/etc/absolute'), undefined);
  assert.equal(await readFileInRoot(root, '/etc/missing', 1024), undefined);
  assert.equal(await readFileInRoot(root, '/dir', 1024), undefined);
  assert.equal(await readFileInRoot(root, '/etc/passwd', 4), 'root');
  await assert.rejects(readFileInRoot(root, '/etc/loop1', 1024), /too many levels of symbolic links/);

  // A link inside the root that stays inside resolves there, whatever the host has at that path.
  await writeFile(join(root, 'secret-in-root'), 'inside\n');
  await symlink('/secret-in-root', join(root, 'etc/inside'));
  assert.equal(await readFileInRoot(root, '/etc/inside', 1024), 'inside\n');
});
