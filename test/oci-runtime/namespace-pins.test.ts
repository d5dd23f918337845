// A pod's IPC and UTS namespaces pinned in files before its pause exists (host/namespace-pins.ts): real
// namespaces (not the host's), the pod's hostname set inside, a container joining them sees both, the
// pod's /dev/shm made with the IPC pin, and removal leaves nothing, twice over and after a half-done removal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { paths } from '../../src/common/config.js';
import { run } from '../../src/host/exec.js';
import { readMountInfo } from '../../src/host/mount.js';
import { createNamespacePins } from '../../src/host/namespace-pins.js';
import { isNamespacePin } from '../../src/host/ns-pin.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { makeTestRoots } from '../helpers/roots.js';
import { mountWays } from '../helpers/mount-ways.js';

const inode = async (path: string): Promise<string> => (await run('stat', ['-L', '-c', '%i', path])).stdout.trim();

for (const way of mountWays()) {
  test(`pinned IPC and UTS namespaces: their own, named, joined, and removed without a trace (${way.label})`, (t) =>
    way.run(async () => {
      const roots = await makeTestRoots();
      t.after(() => roots.cleanup());
      const pins = createNamespacePins({ ipc: paths(roots.config).ipcns, uts: paths(roots.config).utsns, shm: paths(roots.config).shm });
      const pinned = await pins.create('pod0', { ipc: true, hostname: 'web-0' });
      assert.deepEqual(pinned, pins.paths('pod0'));
      const { ipcPath, utsPath, shmPath } = pins.paths('pod0');
      assert.equal(await isNamespacePin(ipcPath), true);
      // The pod's /dev/shm: a tmpfs of its own, for data only, open to all, 64 MiB (containerd's).
      const shm = (await readMountInfo()).find((m) => m.target === shmPath);
      assert.equal(shm?.fsType, 'tmpfs');
      assert.match(shm?.options ?? '', /(^|,)nosuid,nodev,noexec(,|$)/);
      assert.match(shm?.superOptions ?? '', /size=65536k/);
      assert.equal((await stat(shmPath)).mode & 0o7777, 0o1777);
      assert.equal(await isNamespacePin(utsPath), true);
      assert.notEqual(await inode(ipcPath), await inode('/proc/self/ns/ipc'));
      assert.notEqual(await inode(utsPath), await inode('/proc/self/ns/uts'));
      // What a container joining the pins sees: the pod's hostname, and the same namespaces.
      const inside = await run('nsenter', [`--uts=${utsPath}`, `--ipc=${ipcPath}`, 'sh', '-c', 'hostname; readlink /proc/self/ns/ipc']);
      const [hostname, ipcLink] = inside.stdout.trim().split('\n');
      assert.equal(hostname, 'web-0');
      assert.equal(ipcLink, `ipc:[${await inode(ipcPath)}]`);
      assert.notEqual(ipcLink, await readlink('/proc/self/ns/ipc'));

      // A removal cut short (one pin and the shm unmounted, the files still there) is finished by the next one.
      await run('umount', [ipcPath, shmPath]);
      await pins.remove('pod0');
      await pins.remove('pod0');
      assert.deepEqual(await readdir(join(roots.config.runRoot, 'ipcns')), []);
      assert.deepEqual(await readdir(join(roots.config.runRoot, 'utsns')), []);
      assert.deepEqual(await readdir(join(roots.config.runRoot, 'shm')), []);
      await assertNoLeaks(roots.config);
    }));

  test(`only what the pod owns is pinned, and a refused hostname leaves nothing (${way.label})`, (t) =>
    way.run(async () => {
      const roots = await makeTestRoots();
      t.after(() => roots.cleanup());
      const pins = createNamespacePins({ ipc: paths(roots.config).ipcns, uts: paths(roots.config).utsns, shm: paths(roots.config).shm });
      const { ipcPath, shmPath } = pins.paths('hostnet');
      assert.deepEqual(await pins.create('hostnet', { ipc: true }), { ipcPath, shmPath });
      assert.equal(await isNamespacePin(pins.paths('hostnet').utsPath), false);
      // The host's IPC: the host's /dev/shm too, nothing made.
      assert.deepEqual(await pins.create('hostall', { ipc: false }), {});
      assert.equal(
        (await readMountInfo()).some((m) => m.target === pins.paths('hostall').shmPath),
        false,
      );
      await pins.remove('hostnet');
      await pins.remove('hostall');
      // sethostname(2) takes at most 64 bytes.
      await assert.rejects(pins.create('toolong', { ipc: true, hostname: 'x'.repeat(65) }));
      assert.equal(await isNamespacePin(pins.paths('toolong').ipcPath), false);
      assert.deepEqual(await readdir(join(roots.config.runRoot, 'ipcns')), []);
      assert.deepEqual(await readdir(join(roots.config.runRoot, 'shm')), [], 'the shm made beside the refused pin is gone too');
      await assertNoLeaks(roots.config);
    }));
}
