// The runtime layer in CRI terms: sandboxes and containers, their configs and their persisted records.
// Both fronts ask in the same CRI shape: kubelet/ maps a Pod to a SandboxConfig and ContainerRequests
// (what the kubelet decides), cri/ maps CRI messages to them; the runtime then does what containerd's CRI
// plugin does with them, once for both (translate.ts: the image's argv/env/PATH/user/workdir/stop signal,
// seccomp profile loading, the node's hostname) and stores the result as the record's ContainerConfig.
import type { PodNetworkStatus, PortMapping } from '../host/network/types.js';
import type { LinuxResources, SecurityInput } from '../oci/types.js';
import type { ResolvedUser, UserRequest } from '../oci/user.js';
import type { ExitStatus } from '../host/oci-runtime/types.js';
import type { ImageRecord } from '../image/types.js';

export type NamespaceScope = 'pod' | 'container' | 'node';

export interface HostAlias {
  readonly ip: string;
  readonly hostnames: readonly string[];
}

export interface DnsConfig {
  readonly servers: readonly string[];
  readonly searches: readonly string[];
  readonly options: readonly string[];
}

export interface SandboxConfig {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly attempt: number;
  /** '' (as the kubelet sends it for hostNetwork pods): the runtime gives the node's name (translate.ts). */
  readonly hostname: string;
  /** Pod-level cgroup (e.g. /peapod/kubepods/burstable/pod<uid>), created by the runtime with `podResources`. */
  readonly cgroupParent: string;
  readonly podResources: LinuxResources;
  readonly network: 'pod' | 'node';
  readonly pid: NamespaceScope;
  readonly ipc: 'pod' | 'node';
  readonly portMappings: readonly PortMapping[];
  readonly dns: DnsConfig | undefined;
  readonly hostAliases: readonly HostAlias[];
  readonly sysctls: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Kubelet's per-pod log directory; container log paths are relative to it. */
  readonly logDirectory: string;
  readonly oomScoreAdj: number;
  /**
   * The pause's seccomp profile, the sandbox security context's (the kubelet sends RuntimeDefault, and a
   * privileged sandbox, which runs unconfined, when a container is privileged). Absent in records older
   * than it: RuntimeDefault, what their pause ran under.
   */
  readonly seccomp?: SeccompRequest;
}

export type SandboxState = 'creating' | 'ready' | 'notready' | 'removing';

export interface SandboxRecord {
  readonly schema: 1;
  readonly id: string;
  readonly config: SandboxConfig;
  readonly state: SandboxState;
  readonly createdAt: string;
  /** Steps whose side effects exist on the host, for undo and reconcile. */
  readonly done: readonly SandboxStep[];
  /** When each step finished (ISO time), for the build timeline the dashboard draws. */
  readonly stepsDoneAt?: Readonly<Partial<Record<SandboxStep, string>>>;
  readonly netnsPath?: string;
  /** The pod's pinned IPC and UTS namespaces (host/namespace-pins.ts); absent for the host's, or in records older than the pins. */
  readonly ipcPath?: string;
  readonly utsPath?: string;
  /** The /dev/shm its containers bind: the pod's tmpfs (made with the IPC pin), or the host's with the host's IPC; absent in older records. */
  readonly shmPath?: string;
  readonly network?: PodNetworkStatus;
  readonly pausePid?: number;
  readonly pauseStartTime?: number;
  /** Directory holding the generated hosts, resolv.conf and hostname files. */
  readonly dir: string;
}

export type SandboxStep = 'cgroup' | 'netns' | 'network' | 'files' | 'pause';

export interface VolumeMount {
  readonly containerPath: string;
  readonly hostPath: string;
  readonly readOnly: boolean;
  /** Recursive bind for directories that hold mounts of their own. */
  readonly recursive?: boolean;
  readonly propagation?: 'private' | 'rslave' | 'rshared';
  /**
   * The host file is made by the create, empty, with its directory (the kubelet front's termination-log
   * file, one per attempt): made beside the pause rather than before the sandbox. No CRI field sets it.
   */
  readonly createFile?: boolean;
}

/** A CRI KeyValue of ContainerConfig.envs. */
export interface EnvEntry {
  readonly key: string;
  readonly value: string;
}

/** Seccomp as a front asks for it: a Localhost profile is an absolute host path the runtime loads. */
export type SeccompRequest = { readonly kind: 'runtime-default' } | { readonly kind: 'unconfined' } | { readonly kind: 'localhost'; readonly path: string };

/** A container's security settings as a front sends them (the CRI's LinuxContainerSecurityContext). */
export type ContainerSecurityRequest = Omit<SecurityRequest, 'user' | 'seccomp' | 'sysctls'> & {
  /** runAsUser/runAsGroup/supplementalGroups; the image's USER is the runtime's to add. */
  readonly user: Omit<UserRequest, 'image'>;
  readonly seccomp: SeccompRequest;
};

/** What a container request and the container's recorded config share: passed through as asked. */
interface ContainerSettings {
  readonly name: string;
  readonly attempt: number;
  /** A reference the image service resolves to a local image. */
  readonly image: string;
  readonly mounts: readonly VolumeMount[];
  readonly resources: LinuxResources;
  /** The kubelet's QoS-based OOM score, already clamped to what this host allows. */
  readonly oomScoreAdj: number;
  readonly tty: boolean;
  readonly stdin: boolean;
  /** With stdin: the first attach that closes stdin closes the container's (CRI stdin_once); absent = false. */
  readonly stdinOnce?: boolean;
  /** Relative to the sandbox's logDirectory (as in CRI). */
  readonly logPath: string;
  /** Container to share the PID namespace of (ephemeral containers with --target). */
  readonly targetContainerId?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * CreateContainer's ContainerConfig as both fronts send it: nothing merged with the image yet. The runtime
 * turns it into the record's ContainerConfig (translate.ts), as containerd turns the CRI's into a spec.
 */
export interface ContainerRequest extends ContainerSettings {
  /** Replaces the image's ENTRYPOINT (and then drops its CMD) when non-empty. */
  readonly command: readonly string[];
  /** Replaces the image's CMD when non-empty. */
  readonly args: readonly string[];
  /** Over the image's env, a later key replacing an earlier one. */
  readonly envs: readonly EnvEntry[];
  /** '' = the image's WORKDIR, else /. */
  readonly workingDir: string;
  readonly security: ContainerSecurityRequest;
  /** Absent: the image's STOPSIGNAL, else SIGTERM. */
  readonly stopSignal?: NodeJS.Signals;
}

/** A created container's config: the request merged with its image and sandbox (translate.ts), as recorded. */
export interface ContainerConfig extends ContainerSettings {
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly workingDir: string;
  /** The user is asked for, not resolved: the runtime looks it up in the container's rootfs (oci/user.ts). */
  readonly security: SecurityRequest;
  readonly stopSignal?: NodeJS.Signals;
}

/** A container the caller will create in a sandbox as soon as it is ready (RunPodSandbox makes its rootfs meanwhile). */
export interface ContainerPreparation {
  readonly name: string;
  readonly attempt: number;
  /** The image record the create will name (a prepared rootfs is only used for the same image). */
  readonly image: ImageRecord;
  /**
   * The create's whole request, when the caller knows it before the sandbox exists: the container is then
   * created (runc create, nothing started) beside the pause, and a create with an equal request takes it.
   */
  readonly request?: ContainerRequest;
}

export type ContainerState = 'creating' | 'created' | 'running' | 'exited';

export interface ContainerRecord {
  readonly schema: 1;
  readonly id: string;
  readonly sandboxId: string;
  readonly config: ContainerConfig;
  readonly imageId: string;
  readonly imageRef: string;
  readonly state: ContainerState;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly pid?: number;
  readonly pidStartTime?: number;
  readonly exit?: ExitStatus & { readonly reason: 'Completed' | 'Error' | 'OOMKilled' | 'ContainerCannotRun' | 'Unknown'; readonly message?: string };
  readonly cgroupsPath: string;
  readonly dir: string;
  /** The uid, gid and groups the process got, resolved against the image at create. */
  readonly user?: ResolvedUser;
  readonly done: readonly ContainerStep[];
  /** When each step finished (ISO time), for the build timeline the dashboard draws. */
  readonly stepsDoneAt?: Readonly<Partial<Record<ContainerStep, string>>>;
}

/** A container's security settings as a front asks for them: everything resolved but the user. */
export type SecurityRequest = Omit<SecurityInput, 'uid' | 'gid' | 'additionalGids'> & { readonly user: UserRequest };

export type ContainerStep = 'rootfs' | 'bundle' | 'created';
