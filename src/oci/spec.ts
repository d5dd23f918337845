// Pure generators of config.json for the pause (sandbox) and app containers. Like runc's specconv they
// start from a typed default spec; like containerd they apply small named options in order. No I/O:
// the same input gives the same spec, which the golden tests pin.
import type { ContainerSpecInput, LinuxResources, SandboxSpecInput } from './types.js';
import { OCI_VERSION } from './spec-types.js';
import type { Resources, Spec, SpecMount } from './spec-types.js';
import { DEFAULT_DEVICE_RULES, DEFAULT_PATH_ENV, DEFAULT_RLIMITS, PRIVILEGED_DEVICE_RULES } from './defaults.js';
import { buildNamespaces, canMountSysfs, ownsUts } from './namespaces.js';
import { defaultMounts, mergeMounts, sysfsAsBind, writableSysAndCgroup } from './mounts.js';
import { capabilitySets, effectiveCapabilities, pathMasks, seccompFor } from './security.js';
import { pauseSeccompProfile } from './seccomp.js';

/** Where the pause binary appears inside the sandbox's root. */
export const SANDBOX_PAUSE_PATH = '/catatonit';
/** catatonit -P: "pause" mode, sleep until a signal, reap nothing (the pod's PID 1 when sharing PIDs). */
export const SANDBOX_ARGS: readonly string[] = [SANDBOX_PAUSE_PATH, '-P'];

export type SpecOption = (spec: Spec) => void;

/** The skeleton every spec starts from: runc's Example() shape, emptied of its choices. */
function baseSpec(rootfs: string, readonlyRoot: boolean, cgroupsPath: string): Spec {
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [],
      env: [],
      cwd: '/',
      capabilities: capabilitySets([]),
      rlimits: DEFAULT_RLIMITS.map((r) => ({ ...r })),
      noNewPrivileges: true,
    },
    root: { path: rootfs, readonly: readonlyRoot },
    mounts: defaultMounts(),
    linux: {
      namespaces: [],
      cgroupsPath,
      resources: { devices: DEFAULT_DEVICE_RULES.map((d) => ({ ...d })) },
    },
  };
}

export function applyOptions(spec: Spec, options: readonly SpecOption[]): Spec {
  for (const option of options) option(spec);
  return spec;
}

export const withHostname =
  (hostname: string, ownUts: boolean): SpecOption =>
  (spec) => {
    if (ownUts && hostname !== '') spec.hostname = hostname;
  };

/** sysfs in the host's netns cannot be mounted: bind the host's /sys read-only instead. */
export const withSysfsFor =
  (network: ContainerSpecInput['network']): SpecOption =>
  (spec) => {
    if (!canMountSysfs(network)) spec.mounts = sysfsAsBind(spec.mounts);
  };

export const withMounts =
  (extra: ContainerSpecInput['mounts']): SpecOption =>
  (spec) => {
    spec.mounts = mergeMounts(spec.mounts, extra);
  };

/**
 * containerd's rule: a bidirectional (rshared) volume needs the container's whole tree rshared, or its
 * copy of the host's mounts would be a slave that never sends mounts back; a host-to-container (rslave)
 * volume needs at least rslave. Otherwise runc's default stands.
 */
export const withRootfsPropagation =
  (extra: ContainerSpecInput['mounts']): SpecOption =>
  (spec) => {
    if (extra.some((m) => m.options.includes('rshared'))) spec.linux.rootfsPropagation = 'rshared';
    else if (extra.some((m) => m.options.includes('rslave'))) spec.linux.rootfsPropagation = 'rslave';
  };

export const withSysctls =
  (sysctls: Readonly<Record<string, string>>): SpecOption =>
  (spec) => {
    if (Object.keys(sysctls).length > 0) spec.linux.sysctl = { ...sysctls };
  };

export const withAnnotations =
  (annotations: Readonly<Record<string, string>>): SpecOption =>
  (spec) => {
    if (Object.keys(annotations).length > 0) spec.annotations = { ...annotations };
  };

export const withOomScoreAdj =
  (adj: number): SpecOption =>
  (spec) => {
    spec.process.oomScoreAdj = adj;
  };

export const withResources =
  (resources: LinuxResources, unified: Readonly<Record<string, string>> = {}): SpecOption =>
  (spec) => {
    const withUnified = Object.keys(unified).length > 0 ? { unified: { ...unified } } : {};
    spec.linux.resources = { ...linuxResources(resources), ...withUnified, devices: spec.linux.resources.devices };
  };

/** LinuxResources → the spec's linux.resources (without devices). Unset values are left out, not zero. */
export function linuxResources(r: LinuxResources): Omit<Resources, 'devices'> {
  const cpu = {
    ...(r.cpuShares !== undefined ? { shares: r.cpuShares } : {}),
    ...(r.cpuQuotaUs !== undefined && r.cpuQuotaUs > 0 ? { quota: r.cpuQuotaUs } : {}),
    ...(r.cpuPeriodUs !== undefined ? { period: r.cpuPeriodUs } : {}),
  };
  return {
    ...(Object.keys(cpu).length > 0 ? { cpu } : {}),
    ...(r.memoryLimitBytes !== undefined ? { memory: { limit: r.memoryLimitBytes } } : {}),
    ...(r.pidsLimit !== undefined ? { pids: { limit: r.pidsLimit } } : {}),
  };
}

/** containerd's CRI options for a container's security context, in its order. */
export const withSecurity =
  (security: ContainerSpecInput['security']): SpecOption =>
  (spec) => {
    const caps = effectiveCapabilities(security);
    spec.process.capabilities = capabilitySets(caps);
    spec.process.user = {
      uid: security.uid,
      gid: security.gid,
      ...(security.additionalGids.length > 0 ? { additionalGids: [...security.additionalGids] } : {}),
    };
    // A privileged container may gain privileges (setuid binaries): containerd leaves it to the request.
    spec.process.noNewPrivileges = security.noNewPrivileges;
    spec.root.readonly = security.readOnlyRootfs;
    const masks = pathMasks(security);
    if (masks.maskedPaths.length > 0) spec.linux.maskedPaths = masks.maskedPaths;
    if (masks.readonlyPaths.length > 0) spec.linux.readonlyPaths = masks.readonlyPaths;
    if (security.privileged) {
      spec.mounts = writableSysAndCgroup(spec.mounts);
      spec.linux.resources.devices = PRIVILEGED_DEVICE_RULES.map((d) => ({ ...d }));
    }
    const seccomp = seccompFor(security, caps);
    if (seccomp !== undefined) spec.linux.seccomp = seccomp;
  };

export function buildContainerSpec(input: ContainerSpecInput): Spec {
  const spec = baseSpec(input.rootfs, input.security.readOnlyRootfs, input.cgroupsPath);
  spec.process.args = [...input.args];
  spec.process.env = [...input.env];
  spec.process.cwd = input.cwd === '' ? '/' : input.cwd;
  spec.process.terminal = input.terminal;
  spec.linux.namespaces = buildNamespaces(input, input.cgroupNamespace);
  return applyOptions(spec, [
    withHostname(input.hostname, ownsUts(input.uts)),
    withSysfsFor(input.network),
    withSecurity(input.security),
    withMounts(input.mounts),
    withRootfsPropagation(input.mounts),
    withResources(input.resources, input.cgroupUnified),
    withOomScoreAdj(input.oomScoreAdj),
    withSysctls(input.security.sysctls),
    withAnnotations(input.annotations),
  ]);
}

/** The pause binary, read-only, at /catatonit (a file bind mount: runc creates the target file). */
function pauseMount(pausePath: string): SpecMount {
  return { destination: SANDBOX_PAUSE_PATH, type: 'bind', source: pausePath, options: ['rbind', 'ro'] };
}

/** The pod's /dev/shm in the pause, read-only and data only (containerd's sandbox spec). */
function pauseShmMounts(shm: string | undefined): SpecMount[] {
  return shm === undefined ? [] : [{ destination: '/dev/shm', type: 'bind', source: shm, options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'] }];
}

/**
 * The sandbox holds the pod's namespaces and does nothing else: no capabilities, a read-only root with
 * only catatonit in it, no cgroup filesystem (nothing in it reads one). Its seccomp profile is the
 * sandbox security context's, as containerd's sandbox spec takes it (the kubelet asks RuntimeDefault,
 * which for the pause is the default profile on the host's own ABI: seccomp.ts pauseSeccompProfile).
 */
export function buildSandboxSpec(input: SandboxSpecInput): Spec {
  const spec = baseSpec(input.rootfs, true, input.cgroupsPath);
  spec.process.args = [...SANDBOX_ARGS];
  spec.process.env = [DEFAULT_PATH_ENV];
  spec.mounts = spec.mounts.filter((m) => m.destination !== '/sys/fs/cgroup');
  spec.linux.namespaces = buildNamespaces(input, false);
  spec.linux.maskedPaths = pathMasks({ privileged: false, procMount: 'Default' }).maskedPaths;
  spec.linux.readonlyPaths = pathMasks({ privileged: false, procMount: 'Default' }).readonlyPaths;
  const seccomp = input.seccomp.kind === 'runtime-default' ? pauseSeccompProfile() : seccompFor({ privileged: false, seccomp: input.seccomp }, []);
  if (seccomp !== undefined) spec.linux.seccomp = seccomp;
  return applyOptions(spec, [
    withHostname(input.hostname, ownsUts(input.uts)),
    withSysfsFor(input.network),
    withMounts([pauseMount(input.pausePath), ...pauseShmMounts(input.shm)]),
    withOomScoreAdj(input.oomScoreAdj),
    withSysctls(input.sysctls),
    withAnnotations(input.annotations),
  ]);
}
