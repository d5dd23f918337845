// The mounts of a spec: containerd CRI's defaults, then the caller's mounts in order, where a caller
// mount on a default's destination replaces it (containerd WithMounts drops the default for that path).
import type { Mount } from './types.js';
import type { SpecMount } from './spec-types.js';

/** containerd's defaultMounts (oci/mounts.go) plus the CRI plugin's /sys/fs/cgroup. */
export function defaultMounts(): SpecMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
  ];
}

/**
 * Without a network namespace of its own the container may not mount sysfs (see canMountSysfs): it
 * gets a recursive read-only bind of the host's /sys instead, as podman does for --network=host.
 */
export function sysfsAsBind(mounts: readonly SpecMount[]): SpecMount[] {
  return mounts.map((m) =>
    m.destination === '/sys' && m.type === 'sysfs'
      ? { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] }
      : m,
  );
}

/** Privileged containers get sysfs and cgroupfs writable (containerd WithWriteableSysfs/WithWriteableCgroupfs). */
export function writableSysAndCgroup(mounts: readonly SpecMount[]): SpecMount[] {
  return mounts.map((m) =>
    m.destination === '/sys' || m.destination === '/sys/fs/cgroup' ? { ...m, options: m.options.map((o) => (o === 'ro' ? 'rw' : o)) } : m,
  );
}

/** A mount destination as a path compares: no trailing slash (but the root's). */
export const cleanDestination = (path: string): string => (path.length > 1 ? path.replace(/\/+$/, '') : path);

const depth = (path: string): number => cleanDestination(path).split('/').length - 1;

/**
 * Defaults first, minus any the caller overrides by destination; then the caller's mounts, shallowest
 * first and otherwise in order (containerd's WithMounts sorts them so: a volume at /etc or /dev must not
 * cover /etc/hosts or /dev/shm mounted before it).
 */
export function mergeMounts(defaults: readonly SpecMount[], extra: readonly Mount[]): SpecMount[] {
  const overridden = new Set(extra.map((m) => cleanDestination(m.destination)));
  const ordered = extra.map((m, i) => ({ m, i, d: depth(m.destination) })).sort((a, b) => a.d - b.d || a.i - b.i);
  return [
    ...defaults.filter((m) => !overridden.has(cleanDestination(m.destination))),
    ...ordered.map(({ m }) => ({ destination: m.destination, type: m.type, source: m.source, options: [...m.options] })),
  ];
}
