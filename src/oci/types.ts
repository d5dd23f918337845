// Inputs of the pure OCI spec generators (spec.ts). CRI-shaped on purpose: runtime/ fills them from a
// pod record; cri/ will fill them from CRI requests. Nothing here touches the host.

export type NamespaceMode =
  /** The sandbox's namespace: join it through the given path (/proc/<pause>/ns/x or a pinned file). */
  | { readonly mode: 'pod'; readonly path: string }
  /** The host's: no namespace entry in the spec. */
  | { readonly mode: 'host' }
  /** A new one of the container's own. */
  | { readonly mode: 'own' };

export interface Mount {
  readonly destination: string;
  readonly source: string;
  readonly type: string;
  readonly options: readonly string[];
}

export interface LinuxResources {
  readonly cpuShares?: number;
  readonly cpuQuotaUs?: number;
  readonly cpuPeriodUs?: number;
  readonly memoryLimitBytes?: number;
  readonly pidsLimit?: number;
}

export interface SecurityInput {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: readonly number[];
  readonly privileged: boolean;
  readonly capabilitiesAdd: readonly string[];
  readonly capabilitiesDrop: readonly string[];
  readonly readOnlyRootfs: boolean;
  readonly noNewPrivileges: boolean;
  /** 'runtime-default' → peapod's default seccomp profile; 'unconfined' → none; a localhost profile's JSON. */
  readonly seccomp: { readonly kind: 'runtime-default' } | { readonly kind: 'unconfined' } | { readonly kind: 'localhost'; readonly profile: unknown };
  /** 'Unmasked' procMount drops masked/readonly paths. */
  readonly procMount: 'Default' | 'Unmasked';
  /** Replace the default lists when non-empty (CRI: the kubelet sends its own lists). */
  readonly maskedPaths?: readonly string[];
  readonly readonlyPaths?: readonly string[];
  readonly sysctls: Readonly<Record<string, string>>;
  /**
   * The capabilities the runtime itself holds (its bounding set): "all" (privileged, or ALL in add)
   * means these, as containerd's cap.Current(); a sandboxed host may lack some (here CAP_SYS_RESOURCE).
   */
  readonly hostCapabilities?: readonly string[];
}

export interface SandboxSpecInput {
  readonly sandboxId: string;
  readonly hostname: string;
  /** Directory used as the pause container's root; the pause binary is bind-mounted into it. */
  readonly rootfs: string;
  /** Host path of catatonit (static). */
  readonly pausePath: string;
  readonly network: NamespaceMode;
  /** 'own' unless hostIPC. */
  readonly ipc: NamespaceMode;
  /** 'own' unless hostNetwork (uts follows network, as in the kubelet). */
  readonly uts: NamespaceMode;
  /** 'own' when shareProcessNamespace, 'host' with hostPID; otherwise the pause gets its own too. */
  readonly pid: NamespaceMode;
  readonly cgroupsPath: string;
  readonly oomScoreAdj: number;
  readonly sysctls: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** The sandbox security context's profile, as containerd's sandbox spec takes it (the kubelet asks RuntimeDefault). */
  readonly seccomp: SecurityInput['seccomp'];
  /**
   * The pod's /dev/shm (or the host's, with the host's IPC), bound read-only at /dev/shm as containerd binds
   * it; none (a record older than the pod's /dev/shm): the pause's own tmpfs.
   */
  readonly shm?: string | undefined;
}

export interface ContainerSpecInput {
  readonly containerId: string;
  readonly hostname: string;
  /** The merged overlay root of the container. */
  readonly rootfs: string;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly terminal: boolean;
  readonly network: NamespaceMode;
  readonly ipc: NamespaceMode;
  readonly uts: NamespaceMode;
  readonly pid: NamespaceMode;
  readonly cgroupNamespace: boolean;
  /** Volumes, /etc/hosts, /etc/resolv.conf, /etc/hostname, termination log: in order. */
  readonly mounts: readonly Mount[];
  readonly cgroupsPath: string;
  readonly resources: LinuxResources;
  /** cgroup v2 files written verbatim by runc (linux.resources.unified), e.g. memory.oom.group; none on v1. */
  readonly cgroupUnified?: Readonly<Record<string, string>>;
  readonly oomScoreAdj: number;
  readonly security: SecurityInput;
  readonly annotations: Readonly<Record<string, string>>;
}
