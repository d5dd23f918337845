// The "runtime/default" seccomp profile, built the way containerd's DefaultProfile builds it: deny with
// EPERM by default, allow the common syscalls, then add what the arch and the granted capabilities need.
import { invalid } from '../common/errors.js';
import type { Seccomp, SeccompSyscall } from './spec-types.js';
import { ALLOWED_SYSCALLS } from './seccomp-data.js';
import {
  ALLOWED_PERSONALITIES,
  ARCH_SYSCALLS,
  CAPABILITY_SYSCALLS,
  CLONE_NAMESPACE_FLAGS,
  ENOSYS,
  EPERM,
  NATIVE_SECCOMP_ARCH,
  SECCOMP_ARCHES,
} from './seccomp-conditional-data.js';

export function defaultSeccompProfile(boundingCaps: readonly string[], arch: string = process.arch): Seccomp {
  const syscalls: SeccompSyscall[] = [
    { names: [...ALLOWED_SYSCALLS], action: 'SCMP_ACT_ALLOW' },
    ...ALLOWED_PERSONALITIES.map((value): SeccompSyscall => ({
      names: ['personality'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }],
    })),
  ];
  const archExtra = ARCH_SYSCALLS[arch];
  if (archExtra !== undefined) syscalls.push({ names: [...archExtra], action: 'SCMP_ACT_ALLOW' });
  for (const cap of boundingCaps) {
    const extra = CAPABILITY_SYSCALLS[cap];
    if (extra !== undefined) syscalls.push({ names: [...extra], action: 'SCMP_ACT_ALLOW' });
  }
  if (!boundingCaps.includes('CAP_SYS_ADMIN')) {
    // clone's flags are argument 0 everywhere but s390, where the stack pointer comes first.
    const flagsArg = arch === 's390x' ? 1 : 0;
    syscalls.push(
      { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: flagsArg, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
      // clone3 passes its flags in a struct seccomp cannot inspect: ENOSYS makes libcs fall back to clone.
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
    );
  }
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    architectures: [...(SECCOMP_ARCHES[arch] ?? [])],
    syscalls,
  };
}

/**
 * RuntimeDefault for the pause: the default profile for a process with no capabilities, on the host's own
 * ABI only. The pause is peapod's catatonit, a static binary for this host, so no syscall of a compat ABI
 * (x86 and x32 beside x86_64, arm beside aarch64) is ever one it makes, and any meets the filter's action
 * for an unlisted architecture; containerd's sandbox lists them all, as its containers' profile does.
 * runc builds the filter for every listed architecture in the pause's init, on each pod start's critical
 * path: one instead of three on x86_64 is ≈ 6 ms less per pod start (the pause's `runc run -d` alone, 30
 * runs each: 32–34 ms of wall time with the three, 26–28 with one, 24–25 with no filter). Containers keep
 * every ABI: an image may hold 32-bit programs.
 */
export function pauseSeccompProfile(arch: string = process.arch): Seccomp {
  const native = NATIVE_SECCOMP_ARCH[arch];
  return { ...defaultSeccompProfile([], arch), architectures: native === undefined ? [] : [native] };
}

/** A localhost profile is the user's JSON: checked for shape, passed through as is. */
export function localhostSeccompProfile(profile: unknown): Seccomp {
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) {
    throw invalid('a localhost seccomp profile must be a JSON object with a defaultAction');
  }
  const action = (profile as { defaultAction?: unknown }).defaultAction;
  if (typeof action !== 'string' || !action.startsWith('SCMP_ACT_')) {
    throw invalid(`a localhost seccomp profile needs defaultAction SCMP_ACT_*, got ${JSON.stringify(action)}`);
  }
  return profile as Seccomp;
}
