// Where the cgroup hierarchies are mounted (every v1 controller, and the v2 unified tree), read from
// /proc/self/mountinfo so the helpers work on v1, hybrid and pure v2 hosts alike.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readMountInfo } from '../../src/host/mount.js';

export async function cgroupMountPoints(): Promise<string[]> {
  const mounts = await readMountInfo();
  const points = mounts.filter((m) => m.fsType === 'cgroup' || m.fsType === 'cgroup2').map((m) => m.target);
  return [...new Set(points)].sort();
}

/** Every directory strictly below `dir`, parents before children; [] when `dir` does not exist. */
export async function dirsBelow(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const child = join(dir, e.name);
    out.push(child, ...(await dirsBelow(child)));
  }
  return out;
}

/** PIDs in one cgroup directory (not its children); [] when it is gone. */
export async function cgroupProcs(dir: string): Promise<number[]> {
  try {
    return (await readFile(join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter((l) => l !== '').map(Number);
  } catch {
    return [];
  }
}
