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

export async function discoverV1Hierarchies(fsRoot: string): Promise<V1Hierarchy[]> {
  const byMount = new Map<string, V1Hierarchy>();
  for (const name of (await readdir(fsRoot)).sort()) {
    const full = join(fsRoot, name);
    const st = await stat(full).catch(() => undefined);
    if (!st?.isDirectory() || !(await isCgroupRoot(full))) continue;
    const real = await realpath(full);
    const controllers = controllersOf(basename(real));
    if (controllers.length === 0 || byMount.has(real)) continue;
    // The real path is used so a joined mount is visited once; writes go through it too.
    byMount.set(real, { mount: real, controllers });
  }
  return [...byMount.values()];
}

/** The hierarchy that carries `controller`, if mounted. */
export function hierarchyFor(hierarchies: readonly V1Hierarchy[], controller: V1Controller): V1Hierarchy | undefined {
  return hierarchies.find((h) => h.controllers.includes(controller));
}

/**
 * Hierarchies without a managed controller: the named "systemd" one and the hybrid layout's "unified"
 * v2 tree. runc's cgroupfs manager creates the container's path in them too, so removal must visit them.
 */
export async function discoverOtherHierarchies(fsRoot: string): Promise<string[]> {
  const found = new Set<string>();
  for (const name of (await readdir(fsRoot).catch(() => [] as string[])).sort()) {
    const full = join(fsRoot, name);
    const st = await stat(full).catch(() => undefined);
    if (!st?.isDirectory() || !(await isCgroupRoot(full))) continue;
    const real = await realpath(full);
    if (controllersOf(basename(real)).length === 0) found.add(real);
  }
  return [...found];
}

async function isCgroupRoot(dir: string): Promise<boolean> {
  return access(join(dir, 'cgroup.procs')).then(
    () => true,
    () => false,
  );
}
