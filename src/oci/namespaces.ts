// NamespaceMode → linux.namespaces entries: joining a sandbox's namespace is an entry with a path,
// a new namespace is an entry without one, and the host's is no entry at all (config-linux.md).
import type { NamespaceMode } from './types.js';
import type { LinuxNamespace, NamespaceType } from './spec-types.js';

export interface NamespaceModes {
  readonly network: NamespaceMode;
  readonly ipc: NamespaceMode;
  readonly uts: NamespaceMode;
  readonly pid: NamespaceMode;
}

export function namespaceEntry(type: NamespaceType, mode: NamespaceMode): LinuxNamespace[] {
  switch (mode.mode) {
    case 'pod':
      return [{ type, path: mode.path }];
    case 'own':
      return [{ type }];
    case 'host':
      return [];
  }
}

/** In runc's Example() order; the mount namespace is always the container's own. */
export function buildNamespaces(modes: NamespaceModes, cgroupNamespace: boolean): LinuxNamespace[] {
  return [
    ...namespaceEntry('pid', modes.pid),
    ...namespaceEntry('network', modes.network),
    ...namespaceEntry('ipc', modes.ipc),
    ...namespaceEntry('uts', modes.uts),
    { type: 'mount' },
    ...(cgroupNamespace ? [{ type: 'cgroup' as const }] : []),
  ];
}

/** A hostname may only be set in a UTS namespace the container creates: runc refuses it otherwise. */
export function ownsUts(uts: NamespaceMode): boolean {
  return uts.mode === 'own';
}

/**
 * Whether sysfs can be mounted fresh: the kernel only allows it to a process that owns the network
 * namespace it is in (its user namespace is that netns's owner). In the host's netns runc would get
 * EPERM, so /sys is bind-mounted instead; a joined pod netns was created by root in the initial user
 * namespace, which runc (as root) owns, so sysfs mounts there.
 */
export function canMountSysfs(network: NamespaceMode): boolean {
  return network.mode !== 'host';
}
