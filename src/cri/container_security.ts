// LinuxContainerSecurityContext → the runtime's ContainerSecurityRequest. The image's USER, the Localhost
// profile's content, privileged's unconfined seccomp and the pod's sysctls are the runtime's to add, once
// for both fronts (runtime/translate.ts), as containerd adds them.
import { isAbsolute } from 'node:path';
import { PeapodError } from '../common/errors.js';
import type { ContainerSecurityRequest, SeccompRequest } from '../runtime/types.js';
import type { CriContext } from './context.js';
import type { Fields } from './fields.js';
import { SECCOMP_PROFILE_TYPES } from './types.js';

/** The deprecated seccomp_profile_path values (CRI before SecurityProfile): docker/default is runtime/default's old name. */
const LEGACY_RUNTIME_DEFAULT = new Set(['runtime/default', 'docker/default']);
const LEGACY_LOCALHOST_PREFIX = 'localhost/';

/** A container's or a sandbox's profile (both security contexts carry seccomp and seccomp_profile_path). */
export function seccompFrom(sc: Fields | undefined): SeccompRequest {
  const profile = sc?.msg('seccomp');
  if (profile) {
    const type = profile.enumOf('profile_type', SECCOMP_PROFILE_TYPES);
    if (type === 'RuntimeDefault') return { kind: 'runtime-default' };
    if (type === 'Unconfined') return { kind: 'unconfined' };
    return localhostProfile(profile.str('localhost_ref'), `${profile.path}.localhost_ref`);
  }
  const legacy = sc?.str('seccomp_profile_path') ?? '';
  // No profile at all: unconfined, as the CRI defines an unset profile.
  if (legacy === '' || legacy === 'unconfined') return { kind: 'unconfined' };
  if (LEGACY_RUNTIME_DEFAULT.has(legacy)) return { kind: 'runtime-default' };
  if (legacy.startsWith(LEGACY_LOCALHOST_PREFIX)) return localhostProfile(legacy.slice(LEGACY_LOCALHOST_PREFIX.length), 'seccomp_profile_path');
  throw new PeapodError(
    'InvalidArgument',
    `${sc?.path ?? 'security_context'}.seccomp_profile_path ${JSON.stringify(legacy)}: allowed are "", "unconfined", "runtime/default", "docker/default" and "localhost/<absolute path>"`,
  );
}

/** Localhost profiles are absolute host paths (the kubelet resolves them under its seccomp root); the runtime reads them. */
function localhostProfile(path: string, field: string): SeccompRequest {
  if (!isAbsolute(path)) throw new PeapodError('InvalidArgument', `${field}: ${JSON.stringify(path)} must be an absolute path to a seccomp profile`);
  return { kind: 'localhost', path };
}

/** The user as asked for; the runtime resolves it against the image's USER, /etc/passwd and /etc/group (oci/user.ts). */
function userRequest(sc: Fields | undefined): ContainerSecurityRequest['user'] {
  const at = sc?.path ?? 'config.linux.security_context';
  const runAsUser = sc?.msg('run_as_user');
  const runAsGroup = sc?.msg('run_as_group');
  const username = sc?.str('run_as_username') ?? '';
  // containerd's generateUserString: a group alone names no user to give it to.
  if (runAsGroup && !runAsUser && username === '') {
    throw new PeapodError('InvalidArgument', `${at}.run_as_group is set without run_as_user or run_as_username`);
  }
  const supplementalGroups = sc?.intList('supplemental_groups') ?? [];
  const ids = [runAsUser?.int('value'), runAsGroup?.int('value'), ...supplementalGroups];
  if (ids.some((id) => id !== undefined && (id < 0 || id > ID_MAX)))
    throw new PeapodError('InvalidArgument', `${at}: user and group IDs must be within 0-${ID_MAX}`);
  return {
    ...(runAsUser ? { uid: runAsUser.int('value') } : {}),
    ...(username !== '' ? { username } : {}),
    ...(runAsGroup ? { gid: runAsGroup.int('value') } : {}),
    supplementalGroups,
  };
}

const ID_MAX = 2 ** 32 - 2;

export function securityFrom(sc: Fields | undefined, ctx: CriContext): ContainerSecurityRequest {
  const privileged = sc?.bool('privileged') ?? false;
  const caps = sc?.msg('capabilities');
  return {
    user: userRequest(sc),
    privileged,
    capabilitiesAdd: caps?.strList('add_capabilities') ?? [],
    capabilitiesDrop: caps?.strList('drop_capabilities') ?? [],
    readOnlyRootfs: sc?.bool('readonly_rootfs') ?? false,
    noNewPrivileges: (sc?.bool('no_new_privs') ?? false) && !privileged,
    // containerd leaves a privileged container's profile alone (not even parsed): it runs unconfined.
    seccomp: privileged ? { kind: 'unconfined' } : seccompFrom(sc),
    // The kubelet sends its default masked/readonly lists, or none for Unmasked procMount and for
    // privileged containers; an empty list is also what a hand-written config sends, so (as containerd)
    // a non-empty list replaces the defaults, an empty one keeps them, and privileged unmasks.
    procMount: 'Default',
    maskedPaths: absolutePaths(sc?.strList('masked_paths') ?? [], `${sc?.path ?? 'security_context'}.masked_paths`),
    readonlyPaths: absolutePaths(sc?.strList('readonly_paths') ?? [], `${sc?.path ?? 'security_context'}.readonly_paths`),
    ...(ctx.settings.hostCapabilities ? { hostCapabilities: ctx.settings.hostCapabilities } : {}),
  };
}

function absolutePaths(paths: readonly string[], field: string): readonly string[] {
  paths.forEach((p, i) => {
    if (!p.startsWith('/') || p.includes('\0')) throw new PeapodError('InvalidArgument', `${field}[${i}]: ${JSON.stringify(p)} must be an absolute path`);
  });
  return paths;
}
