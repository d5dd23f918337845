// A small ext4 filesystem in a file, loop-mounted at a test's root before its daemon starts, so that
// "the disk is N % full" is something a test can arrange (as test/exhaustion/disk-full.test.ts does).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runUnchecked } from '../../src/host/exec.js';
import { listMounts } from '../../src/host/mount.js';
import type { TestRoots } from '../helpers/roots.js';

async function sh(cmd: string, args: readonly string[]): Promise<void> {
  const r = await runUnchecked(cmd, args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
}

export async function mountSmallRoot(roots: TestRoots, sizeMb: number): Promise<void> {
  const image = join(roots.dir, 'disk.img');
  await sh('truncate', ['-s', `${sizeMb}M`, image]);
  await sh('mkfs.ext4', ['-q', '-F', '-m', '0', image]);
  await mkdir(roots.config.root, { recursive: true });
  await sh('mount', ['-o', 'loop', image, roots.config.root]);
}

export async function unmountSmallRoot(roots: TestRoots): Promise<void> {
  if ((await listMounts(roots.config.root)).length > 0) {
    const r = await runUnchecked('umount', [roots.config.root], { timeoutMs: 30_000 });
    if (r.code !== 0) await runUnchecked('umount', ['-l', roots.config.root], { timeoutMs: 10_000 });
  }
  const loops = await runUnchecked('losetup', ['-n', '-O', 'NAME', '-j', join(roots.dir, 'disk.img')], { timeoutMs: 10_000 });
  for (const dev of loops.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')) {
    await runUnchecked('losetup', ['-d', dev], { timeoutMs: 10_000 });
  }
}
