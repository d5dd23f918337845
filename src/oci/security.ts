// Capabilities, masked paths and seccomp from a SecurityInput, after containerd's CRI WithCapabilities,
// WithPrivileged and WithSeccomp options. Names are accepted with or without the CAP_ prefix, any case.
import { invalid } from '../common/errors.js';
import type { SecurityInput } from './types.js';
import type { Capabilities, Seccomp } from './spec-types.js';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS } from './defaults.js';
import { defaultSeccompProfile, localhostSeccompProfile } from './seccomp.js';

/** containerd's default capability set for CRI containers (oci/spec.go defaultUnixCaps), in its order. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability Linux defines, in number order (include/uapi/linux/capability.h, 0 … 40). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

const ALL = 'ALL';

/** "net_admin", "NET_ADMIN", "CAP_NET_ADMIN" → "CAP_NET_ADMIN"; "all" → "ALL"; unknown names are refused. */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === ALL) return ALL;
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!ALL_CAPABILITIES.includes(full)) {
    throw invalid(`unknown capability ${JSON.stringify(name)}`, { hint: 'use a name from capabilities(7), like NET_ADMIN or CAP_SYS_TIME, or ALL' });
  }
  return full;
}

/**
 * containerd's order: "ALL" in add starts from every capability, "ALL" in drop from none; then the
 * named adds are added and the named drops removed (so drop wins over add for the same name).
 */
export function effectiveCapabilities(security: Pick<SecurityInput, 'privileged' | 'capabilitiesAdd' | 'capabilitiesDrop' | 'hostCapabilities'>): string[] {
  const everything = security.hostCapabilities ?? ALL_CAPABILITIES;
  if (security.privileged) return [...everything];
  const add = security.capabilitiesAdd.map(normalizeCapability);
  const drop = security.capabilitiesDrop.map(normalizeCapability);
  let caps: string[] = [...DEFAULT_CAPABILITIES];
  if (add.includes(ALL)) caps = [...everything];
  if (drop.includes(ALL)) caps = [];
  for (const c of add) if (c !== ALL && !caps.includes(c)) caps.push(c);
  return caps.filter((c) => !drop.includes(c));
}

/** The same set in bounding, effective and permitted; none inheritable or ambient (CVE-2022-24769). */
export function capabilitySets(caps: readonly string[]): Capabilities {
  return { bounding: [...caps], effective: [...caps], inheritable: [], permitted: [...caps], ambient: [] };
}

export interface PathMasks {
  readonly maskedPaths: string[];
  readonly readonlyPaths: string[];
}

/**
 * Privileged and procMount Unmasked containers see /proc and /sys unmasked. Lists given by the caller
 * replace the defaults when non-empty: on the CRI wire an empty list cannot be told from an absent one,
 * so, as in containerd, empty means "the defaults".
 */
export function pathMasks(security: Pick<SecurityInput, 'privileged' | 'procMount' | 'maskedPaths' | 'readonlyPaths'>): PathMasks {
  if (security.privileged || security.procMount === 'Unmasked') return { maskedPaths: [], readonlyPaths: [] };
  const given = (list: readonly string[] | undefined, defaults: readonly string[]): string[] => [...(list !== undefined && list.length > 0 ? list : defaults)];
  return { maskedPaths: given(security.maskedPaths, DEFAULT_MASKED_PATHS), readonlyPaths: given(security.readonlyPaths, DEFAULT_READONLY_PATHS) };
}

/** undefined = no seccomp filter. Privileged containers run unconfined whatever the profile says (containerd). */
export function seccompFor(security: Pick<SecurityInput, 'privileged' | 'seccomp'>, boundingCaps: readonly string[], arch?: string): Seccomp | undefined {
  if (security.privileged) return undefined;
  switch (security.seccomp.kind) {
    case 'runtime-default':
      return defaultSeccompProfile(boundingCaps, arch);
    case 'unconfined':
      return undefined;
    case 'localhost':
      return localhostSeccompProfile(security.seccomp.profile);
  }
}
