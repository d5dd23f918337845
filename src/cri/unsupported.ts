// Request fields peapod cannot honour are refused when they carry a value, never dropped: a pod that
// asked for a device, a hugepage limit or an SELinux label and silently ran without it is worse than a
// clear INVALID_ARGUMENT naming the field. The defaults the kubelet sends on every call (empty SELinux
// options, RuntimeDefault AppArmor, hugepage limits of 0, userns mode NODE, the "no swap" swap limit)
// pass. docs/cri.md lists every field and what happens to it; keep the two together.
import { PeapodError } from '../common/errors.js';
import type { Fields } from './fields.js';
import { NAMESPACE_MODES, SECCOMP_PROFILE_TYPES } from './types.js';

const refuse = (path: string, allowed: string): PeapodError => new PeapodError('InvalidArgument', `${path}: ${allowed}`);

const SUPPLEMENTAL_GROUPS_POLICIES = ['Merge', 'Strict'] as const;
/** apparmor_profile (deprecated string form): what maps to RuntimeDefault or Unconfined. */
const APPARMOR_NO_OP_PROFILES = new Set(['', 'runtime/default', 'unconfined']);

/** LinuxContainerResources (container, pod, overhead or an update): only what the cgroup manager writes. */
export function refuseUnsupportedResources(r: Fields | undefined): void {
  if (!r) return;
  for (const key of ['cpuset_cpus', 'cpuset_mems']) {
    if (r.str(key) !== '')
      throw refuse(`${r.path}.${key}`, 'cpusets are not supported by peapod (run the kubelet with --cpu-manager-policy=none); allowed is ""');
  }
  for (const h of r.list('hugepage_limits')) {
    if (h.int('limit') !== 0) throw refuse(`${h.path}.limit`, 'hugepage limits are not supported by peapod; allowed is 0 (no hugepages)');
  }
  const unified = Object.keys(r.strMap('unified'));
  // memory.swap.max=0 is the kubelet's "no swap" on cgroup v2: the same as peapod's (swap is never granted).
  const swapOff = unified.length === 1 && unified[0] === 'memory.swap.max' && r.strMap('unified')['memory.swap.max'] === '0';
  if (unified.length > 0 && !swapOff)
    throw refuse(`${r.path}.unified`, `cgroup v2 keys (${unified.join(', ')}) are not supported by peapod; allowed is none, or memory.swap.max "0"`);
  const swap = r.int('memory_swap_limit_in_bytes');
  // The kubelet's "no swap" on cgroup v1: swap limit = memory limit (memsw counts memory + swap).
  if (swap !== 0 && swap !== r.int('memory_limit_in_bytes')) {
    throw refuse(`${r.path}.memory_swap_limit_in_bytes`, 'swap limits are not supported by peapod; allowed are 0 and memory_limit_in_bytes (no swap)');
  }
}

/** SELinuxOption: peapod applies no SELinux labels (this host runs no SELinux), so only the empty option passes. */
function refuseSelinux(sc: Fields): void {
  const options = sc.msg('selinux_options');
  if (!options) return;
  const set = ['user', 'role', 'type', 'level'].filter((k) => options.str(k) !== '');
  if (set.length > 0) throw refuse(`${options.path}.${set[0] ?? ''}`, 'SELinux labels are not supported by peapod; allowed is an empty selinux_options');
}

/** AppArmor: peapod loads no profiles; RuntimeDefault and Unconfined are the same (no AppArmor LSM here). */
function refuseAppArmor(sc: Fields): void {
  const profile = sc.msg('apparmor');
  if (profile && profile.enumOf('profile_type', SECCOMP_PROFILE_TYPES) === 'Localhost') {
    throw refuse(`${profile.path}.profile_type`, 'AppArmor Localhost profiles are not supported by peapod; allowed are RuntimeDefault and Unconfined');
  }
  const legacy = sc.str('apparmor_profile');
  if (!APPARMOR_NO_OP_PROFILES.has(legacy)) {
    throw refuse(`${sc.path}.apparmor_profile`, `${JSON.stringify(legacy)} is not supported by peapod; allowed are "", "runtime/default" and "unconfined"`);
  }
}

/** Security-context fields common to a sandbox and a container. */
function refuseSecurityContext(sc: Fields | undefined): void {
  if (!sc) return;
  refuseSelinux(sc);
  refuseAppArmor(sc);
  if (sc.enumOf('supplemental_groups_policy', SUPPLEMENTAL_GROUPS_POLICIES) === 'Strict') {
    throw refuse(`${sc.path}.supplemental_groups_policy`, 'Strict is not supported by peapod (RuntimeFeatures says so); allowed is Merge');
  }
  const userns = sc.msg('namespace_options')?.msg('userns_options');
  if (userns && userns.enumOf('mode', NAMESPACE_MODES) !== 'NODE') {
    throw refuse(`${userns.path}.mode`, 'user namespaces are not supported by peapod; allowed is NODE');
  }
}

/** PodSandboxConfig (RunPodSandbox's config). */
export function refuseUnsupportedSandboxFields(config: Fields): void {
  if (config.msg('windows')) throw refuse(`${config.path}.windows`, 'peapod runs Linux pods only; allowed is no windows config');
  const linux = config.msg('linux');
  refuseSecurityContext(linux?.msg('security_context'));
  refuseUnsupportedResources(linux?.msg('resources'));
  refuseUnsupportedResources(linux?.msg('overhead'));
}

/** ContainerConfig (CreateContainer's config); `sandboxModes` are the sandbox's network and IPC modes. */
export function refuseUnsupportedContainerFields(config: Fields, sandboxModes: { network: string; ipc: string }): void {
  if (config.msg('windows')) throw refuse(`${config.path}.windows`, 'peapod runs Linux containers only; allowed is no windows config');
  if (config.list('devices').length > 0) throw refuse(`${config.path}.devices`, 'devices are not supported by peapod; allowed is none');
  if (config.list('CDI_devices').length > 0) throw refuse(`${config.path}.CDI_devices`, 'CDI devices are not supported by peapod; allowed is none');
  for (const m of config.list('mounts')) refuseUnsupportedMount(m);
  const linux = config.msg('linux');
  refuseUnsupportedResources(linux?.msg('resources'));
  const sc = linux?.msg('security_context');
  refuseSecurityContext(sc);
  const ambient = sc?.msg('capabilities')?.strList('add_ambient_capabilities') ?? [];
  if (ambient.length > 0)
    throw refuse(`${sc?.path ?? ''}.capabilities.add_ambient_capabilities`, 'ambient capabilities are not supported by peapod; allowed is none');
  const ns = sc?.msg('namespace_options');
  // A container shares its sandbox's network and IPC namespaces; only a mode that says otherwise is refused.
  for (const key of ['network', 'ipc'] as const) {
    const mode = ns?.enumOf(key, NAMESPACE_MODES) ?? 'POD';
    if (mode !== 'POD' && mode !== sandboxModes[key]) {
      throw refuse(`${ns?.path ?? ''}.${key}`, `a container shares its sandbox's ${key} namespace; allowed are POD and the sandbox's ${sandboxModes[key]}`);
    }
  }
}

function refuseUnsupportedMount(m: Fields): void {
  if (m.bool('recursive_read_only')) {
    throw refuse(`${m.path}.recursive_read_only`, 'recursive read-only mounts are not supported by peapod (RuntimeHandlerFeatures says so); allowed is false');
  }
  for (const key of ['uidMappings', 'gidMappings']) {
    if (m.list(key).length > 0) throw refuse(`${m.path}.${key}`, 'ID-mapped mounts are not supported by peapod; allowed is none');
  }
  if (m.str('image_sub_path') !== '') throw refuse(`${m.path}.image_sub_path`, 'image volumes are not supported by peapod; allowed is ""');
}

/** ImageSpec (PullImage, CreateContainer, filters): the runtime handler must be peapod's one. */
export function refuseUnsupportedImageSpec(spec: Fields | undefined): void {
  const handler = spec?.str('runtime_handler') ?? '';
  if (handler !== '' && handler !== 'runc') {
    throw refuse(`${spec?.path ?? ''}.runtime_handler`, `${JSON.stringify(handler)} is not configured; allowed are "" and "runc"`);
  }
}

/** UpdateContainerResourcesRequest. */
export function refuseUnsupportedUpdate(request: Fields): void {
  if (request.msg('windows')) throw refuse('windows', 'peapod runs Linux containers only; allowed is no windows resources');
  refuseUnsupportedResources(request.msg('linux'));
}
