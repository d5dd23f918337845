// Defaults shared by the sandbox and container specs, after containerd's CRI plugin (pkg/cri/opts and
// oci/spec.go populateDefaultUnixSpec) and runc's specconv Example(): named constants, no I/O.
import type { DeviceCgroup, Rlimit } from './spec-types.js';

/** containerd's default env when the image gives no PATH (oci/spec.go defaultUnixEnv). */
export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * containerd's default open-files limit (oci/spec.go: RLIMIT_NOFILE 1024/1024). It must stay within
 * the hard limit of the process starting runc (20000 on these VMs), or runc's setrlimit fails with EPERM.
 */
export const DEFAULT_RLIMITS: readonly Rlimit[] = [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }];

/** containerd's defaultUnixMaskedPaths (oci/spec.go; /sys/devices/virtual/powercap since CVE-2020-8694). */
export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** containerd's defaultUnixReadonlyPaths. */
export const DEFAULT_READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

const allow = (type: 'c' | 'b', major: number | undefined, minor: number | undefined, access: string): DeviceCgroup => ({
  allow: true,
  type,
  ...(major === undefined ? {} : { major }),
  ...(minor === undefined ? {} : { minor }),
  access,
});

/**
 * The device cgroup: deny everything, then allow what containerd's WithDefaultUnixDevices and runc's
 * AllowedDevices allow: mknod of any node (creating is harmless, opening is what the list guards),
 * the standard character devices, ptys and /dev/net/tun.
 */
export const DEFAULT_DEVICE_RULES: readonly DeviceCgroup[] = [
  { allow: false, access: 'rwm' },
  allow('c', undefined, undefined, 'm'),
  allow('b', undefined, undefined, 'm'),
  allow('c', 1, 3, 'rwm'), // /dev/null
  allow('c', 1, 8, 'rwm'), // /dev/random
  allow('c', 1, 7, 'rwm'), // /dev/full
  allow('c', 5, 0, 'rwm'), // /dev/tty
  allow('c', 1, 5, 'rwm'), // /dev/zero
  allow('c', 1, 9, 'rwm'), // /dev/urandom
  allow('c', 5, 1, 'rwm'), // /dev/console
  allow('c', 136, undefined, 'rwm'), // /dev/pts/*
  allow('c', 5, 2, 'rwm'), // /dev/ptmx
  allow('c', 10, 200, 'rwm'), // /dev/net/tun
];

/** Privileged containers may use every device (containerd WithPrivileged → WithAllDevicesAllowed). */
export const PRIVILEGED_DEVICE_RULES: readonly DeviceCgroup[] = [{ allow: true, access: 'rwm' }];
