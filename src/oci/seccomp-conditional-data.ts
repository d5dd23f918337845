// The conditional part of containerd's default seccomp profile (contrib/seccomp/seccomp_default.go), kept
// as data: the syscalls an architecture or a granted capability adds, and the argument rules (personality,
// clone flags) with the errno a denial returns.

/** Extra syscalls per architecture (Go's runtime.GOARCH cases, keyed by Node's process.arch). */
export const ARCH_SYSCALLS: Readonly<Record<string, readonly string[]>> = {
  x64: ['arch_prctl', 'modify_ldt'],
  ia32: ['modify_ldt'],
  arm64: ['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls'],
  arm: ['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls'],
  ppc64: ['sync_file_range2', 'swapcontext'],
  s390x: ['s390_pci_mmio_read', 's390_pci_mmio_write', 's390_runtime_instr'],
  riscv64: ['riscv_flush_icache'],
};

/** libseccomp architectures per Node arch (containerd's arches()). */
export const SECCOMP_ARCHES: Readonly<Record<string, readonly string[]>> = {
  x64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  arm64: ['SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64'],
  s390x: ['SCMP_ARCH_S390', 'SCMP_ARCH_S390X'],
  riscv64: ['SCMP_ARCH_RISCV64'],
};

/** The host's own ABI per Node arch: the only one a binary built for this host makes syscalls through. */
export const NATIVE_SECCOMP_ARCH: Readonly<Record<string, string>> = {
  x64: 'SCMP_ARCH_X86_64',
  arm64: 'SCMP_ARCH_AARCH64',
  s390x: 'SCMP_ARCH_S390X',
  riscv64: 'SCMP_ARCH_RISCV64',
};

/** Syscalls a capability in the bounding set unlocks. */
export const CAPABILITY_SYSCALLS: Readonly<Record<string, readonly string[]>> = {
  CAP_DAC_READ_SEARCH: ['open_by_handle_at'],
  CAP_SYS_ADMIN: [
    'bpf',
    'clone',
    'clone3',
    'fanotify_init',
    'fsconfig',
    'fsmount',
    'fsopen',
    'fspick',
    'lookup_dcookie',
    'mount',
    'mount_setattr',
    'move_mount',
    'name_to_handle_at',
    'open_tree',
    'perf_event_open',
    'quotactl',
    'quotactl_fd',
    'setdomainname',
    'sethostname',
    'setns',
    'syslog',
    'umount',
    'umount2',
    'unshare',
  ],
  CAP_SYS_BOOT: ['reboot'],
  CAP_SYS_CHROOT: ['chroot'],
  CAP_SYS_MODULE: ['delete_module', 'init_module', 'finit_module'],
  CAP_SYS_PACCT: ['acct'],
  CAP_SYS_PTRACE: ['kcmp', 'pidfd_getfd', 'process_madvise', 'process_vm_readv', 'process_vm_writev', 'ptrace'],
  CAP_SYS_RAWIO: ['iopl', 'ioperm'],
  CAP_SYS_TIME: ['settimeofday', 'stime', 'clock_settime', 'clock_settime64'],
  CAP_SYS_TTY_CONFIG: ['vhangup'],
  CAP_SYSLOG: ['syslog'],
  CAP_BPF: ['bpf'],
  CAP_PERFMON: ['perf_event_open'],
};

/**
 * personality(2) personas allowed (PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, and the
 * 0xffffffff query), as argument-0 equality rules.
 */
export const ALLOWED_PERSONALITIES: readonly number[] = [0x0, 0x0008, 0x20000, 0x20008, 0xffffffff];

/** CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET: clone may not create namespaces without CAP_SYS_ADMIN. */
export const CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

/** ENOSYS for clone3 without CAP_SYS_ADMIN, so libcs fall back to clone (moby/moby#42681). */
export const ENOSYS = 38;
/** EPERM: what a denied syscall returns. */
export const EPERM = 1;
