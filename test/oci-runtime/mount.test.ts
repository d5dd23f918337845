// The mount helpers for real, as root: overlay (two lowers, and one past the one-page option limit),
// tmpfs with a size, read-only bind; each unmounted twice; listMounts with escaped paths. Each test runs
// both ways (test/helpers/mount-ways.ts): mount(8)/umount(8), and the daemon's spawner making the syscalls.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdir, open, readFile, readdir, statfs, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MOUNT_DATA_MAX_BYTES, bindMount, isMountPoint, listMounts, mountOverlay, mountTmpfs, planOverlay, unmount } from '../../src/host/mount.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { makeTestRoots } from '../helpers/roots.js';
import type { TestRoots } from '../helpers/roots.js';
import { mountWays } from '../helpers/mount-ways.js';

let roots: TestRoots;
before(async () => {
  roots = await makeTestRoots();
});
after(async () => {
  try {
    await assertNoLeaks(roots.config);
  } finally {
    await roots.cleanup();
  }
});

let round = 0;
/** Fresh directories for each test of each way. */
async function dirs(...names: string[]): Promise<string[]> {
  const base = join(roots.config.root, `round-${round++}`);
  const out = names.map((n) => join(base, n));
  await Promise.all(out.map((d) => mkdir(d, { recursive: true })));
  return out;
}

for (const way of mountWays()) {
  test(`overlay of two lower dirs: top-first order, writes land in upper; unmount twice (${way.label})`, (t) =>
    way.run(async () => {
      const [top = '', bottom = '', upper = '', work = '', merged = ''] = await dirs('ov/top', 'ov/bottom', 'ov/upper', 'ov/work', 'ov/merged');
      await writeFile(join(top, 'a.txt'), 'top');
      await writeFile(join(bottom, 'a.txt'), 'bottom');
      await writeFile(join(bottom, 'b.txt'), 'only-bottom');
      await mountOverlay([top, bottom], upper, work, merged);
      t.after(() => unmount(merged));
      assert.equal(await readFile(join(merged, 'a.txt'), 'utf8'), 'top');
      assert.equal(await readFile(join(merged, 'b.txt'), 'utf8'), 'only-bottom');
      await writeFile(join(merged, 'c.txt'), 'new');
      assert.equal(await readFile(join(upper, 'c.txt'), 'utf8'), 'new');
      const [m] = await listMounts(merged);
      assert.equal(m?.fsType, 'overlay');
      assert.match(m?.superOptions ?? '', /lowerdir=top:bottom,upperdir=upper,workdir=work/, 'relative to the upper dir: short mountinfo lines');
      await unmount(merged);
      await unmount(merged);
      assert.equal(await isMountPoint(merged), false);
      assert.deepEqual(await readdir(merged), []);
    }));

  test(`overlay whose options exceed one page mounts with relative lowerdirs (${way.label})`, (t) =>
    way.run(async () => {
      const count = 60;
      const names = Array.from({ length: count }, (_, i) => `ovl/layers/${String(i).padStart(3, '0')}-${'x'.repeat(60)}`);
      const lowers = await dirs(...names);
      const [upper = '', work = '', merged = ''] = await dirs('ovl/upper', 'ovl/work', 'ovl/merged');
      await Promise.all(lowers.map((d, i) => writeFile(join(d, `layer-${i}`), String(i))));
      await writeFile(join(lowers[count - 1] ?? '', 'shared'), 'bottom');
      await writeFile(join(lowers[0] ?? '', 'shared'), 'top');
      const plan = planOverlay(lowers, upper, work);
      assert.ok(lowers.join(':').length > MOUNT_DATA_MAX_BYTES, 'the absolute form really is too long');
      assert.equal(plan.cwd, dirname(lowers[0] ?? ''));
      await mountOverlay(lowers, upper, work, merged);
      t.after(() => unmount(merged));
      assert.equal((await readdir(merged)).filter((n) => n.startsWith('layer-')).length, count);
      assert.equal(await readFile(join(merged, 'shared'), 'utf8'), 'top');
      await unmount(merged);
      await unmount(merged);
    }));

  test(`overlay through a symlinked directory: '..' is taken from where the upper dir really is (${way.label})`, (t) =>
    way.run(async () => {
      // link → deep/er/real: two levels above link/c is the base lexically, deep/er physically.
      const [layer = '', real = '', base = ''] = await dirs('sym/layers/l1', 'sym/deep/er/real/c', 'sym');
      await symlink(dirname(real), join(base, 'link'));
      const home = join(base, 'link', 'c');
      await Promise.all(['upper', 'work', 'merged'].map((d) => mkdir(join(home, d))));
      await writeFile(join(layer, 'from-layer'), 'yes');
      await mountOverlay([layer], join(home, 'upper'), join(home, 'work'), join(home, 'merged'));
      t.after(() => unmount(join(real, 'merged')));
      assert.equal(await readFile(join(home, 'merged', 'from-layer'), 'utf8'), 'yes');
      await unmount(join(real, 'merged'));
    }));

  test(`tmpfs with a size and mode; unmount twice (${way.label})`, (t) =>
    way.run(async () => {
      const [target = ''] = await dirs('tmpfs target');
      await mountTmpfs(target, { sizeBytes: 1024 * 1024, mode: 0o700 });
      t.after(() => unmount(target));
      const [m] = await listMounts(target);
      assert.ok(m);
      assert.equal(m.target, target, 'listMounts unescapes the space (\\040)');
      assert.equal(m.fsType, 'tmpfs');
      assert.match(m.superOptions, /size=1024k/);
      assert.match(m.superOptions, /mode=700/);
      const fs = await statfs(target);
      assert.equal(fs.blocks * fs.bsize, 1024 * 1024);
      await unmount(target);
      await unmount(target);
      assert.equal(await isMountPoint(target), false);
    }));

  test(`read-only bind mount; unmount twice; unmounting a missing path succeeds (${way.label})`, (t) =>
    way.run(async () => {
      const [source = '', target = ''] = await dirs('bind/src', 'bind/dst');
      await writeFile(join(source, 'f'), 'x');
      await bindMount(source, target, { readOnly: true });
      t.after(() => unmount(target));
      assert.equal(await readFile(join(target, 'f'), 'utf8'), 'x');
      await assert.rejects(writeFile(join(target, 'g'), 'y'), { code: 'EROFS' });
      const [m] = await listMounts(target);
      assert.match(m?.options ?? '', /(^|,)ro(,|$)/);
      await unmount(target, { lazy: true });
      await unmount(target);
      await unmount(join(roots.config.root, 'no', 'such', 'dir'));
    }));

  test(`a refused mount and a busy unmount fail with the kernel's reason; nothing is left (${way.label})`, (t) =>
    way.run(async () => {
      const [target = ''] = await dirs('busy');
      await assert.rejects(mountTmpfs(join(target, 'missing')), /ENOENT|No such file|does not exist/);
      await mountTmpfs(target);
      t.after(() => unmount(target, { lazy: true }));
      const held = await open(join(target, 'held'), 'w');
      try {
        await assert.rejects(unmount(target), /EBUSY|busy/);
      } finally {
        await held.close();
      }
      assert.equal(await isMountPoint(target), true, 'a refused unmount leaves the mount');
      await unmount(target);
      assert.equal(await isMountPoint(target), false);
    }));
}
