// Finding the cgroup v1 hierarchies below an fs root (normally /sys/fs/cgroup). Each directory there is
// one hierarchy mount, named after its controllers; a joined mount ("cpu,cpuacct") usually also has
// symlinks "cpu" and "cpuacct" pointing at it, so hierarchies are deduplicated by real path. A directory
// is a hierarchy only if it holds cgroup.procs: a plain directory someone made there (the tmpfs at
// /sys/fs/cgroup takes any mkdir) must not be mistaken for a controller.
import { access, readdir, realpath, stat } from '../../common/quick-fs.js';
import { basename, join } from 'node:path';

/** The controllers peapod manages (every one runc's cgroupfs manager joins on a Debian host). */
export const V1_CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'freezer', 'devices', 'blkio'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

export interface V1Hierarchy {
  /** Mount point of the hierarchy, e.g. /sys/fs/cgroup/cpu,cpuacct. */
  readonly mount: string;
  readonly controllers: readonly V1Controller[];
}

const isController = (name: string): name is V1Controller => (V1_CONTROLLERS as readonly string[]).includes(name);

/** Controllers of a hierarchy directory name; named hierarchies ("name=systemd", "systemd") and "unified" have none. */
export function controllersOf(dirName: string): V1Controller[] {
  return dirName.split(',').filter(isController);
}

/**
 * What is mounted below `fsRoot`, in one pass: the hierarchies of the controllers peapod manages, and
 * the others (the named "systemd" one, the hybrid layout's "unified" v2 tree), where runc's cgroupfs
 * manager creates the container's path too, so removal must visit them.
 */
export interface HierarchyScan {
  readonly managed: readonly V1Hierarchy[];
  readonly others: readonly string[];
}

export async function scanHierarchies(fsRoot: string): Promise<HierarchyScan> {
  const managed = new Map<string, V1Hierarchy>();
  const others = new Set<string>();
  for (const name of (await readdir(fsRoot)).sort()) {
    const full = join(fsRoot, name);
    const st = await stat(full).catch(() => undefined);
    if (!st?.isDirectory() || !(await isCgroupRoot(full))) continue;
    // The real path: a joined mount is visited once, and writes go through it.
    const real = await realpath(full);
    const controllers = controllersOf(basename(real));
    if (controllers.length === 0) others.add(real);
    else if (!managed.has(real)) managed.set(real, { mount: real, controllers });
  }
  return { managed: [...managed.values()], others: [...others] };
}

export async function discoverV1Hierarchies(fsRoot: string): Promise<V1Hierarchy[]> {
  return [...(await scanHierarchies(fsRoot)).managed];
}

/** The hierarchy that carries `controller`, if mounted. */
export function hierarchyFor(hierarchies: readonly V1Hierarchy[], controller: V1Controller): V1Hierarchy | undefined {
  return hierarchies.find((h) => h.controllers.includes(controller));
}

async function isCgroupRoot(dir: string): Promise<boolean> {
  return access(join(dir, 'cgroup.procs')).then(
    () => true,
    () => false,
  );
}
