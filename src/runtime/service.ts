// The runtime as every front sees it (kubelet/, cri/, api/, kubeapi/, dashboard/): CRI-shaped verbs over
// sandboxes and containers, read-only views of their records, and the few host readings the fronts
// report. The host and the runtime's directories stay behind it, and the runtime is the only writer of
// its records, so a front cannot bypass its per-sandbox/per-container lock. runtime.ts implements it;
// component tests of a front can hand in a fake of this type.
import type { CgroupReadback, CgroupResources } from '../host/cgroups/types.js';
import type { ExecResult } from '../host/oci-runtime/types.js';
import type { ImageRecord } from '../image/types.js';
import type { ContainerPreparation, ContainerRecord, ContainerRequest, SandboxConfig, SandboxRecord } from './types.js';

/** The records as the runtime holds them; they change only through the runtime's verbs. */
export interface RecordView<T> {
  get(id: string): T | undefined;
  list(): T[];
}

export interface ContainerExitEvent {
  readonly containerId: string;
  readonly sandboxId: string;
  readonly record: ContainerRecord;
}

export interface ExecOptions {
  readonly tty: boolean;
  /** Keep stdin open (runc exec without it gets /dev/null). */
  readonly interactive: boolean;
}

export interface RuntimeService {
  readonly sandboxes: RecordView<SandboxRecord>;
  readonly containers: RecordView<ContainerRecord>;
  /** NotFound when absent. */
  sandbox(id: string): SandboxRecord;
  /** NotFound when absent. */
  container(id: string): ContainerRecord;
  containersOf(sandboxId: string): ContainerRecord[];
  /** A container created beside its sandbox's pause that no create has taken yet (not an orphan: a create will). */
  createdBeside(id: string): boolean;

  onContainerExit(listener: (event: ContainerExitEvent) => void): void;
  /** A ready sandbox's pause process died by itself (killed, OOM): the sandbox is now notready. */
  onSandboxExit(listener: (sandboxId: string) => void): void;

  /**
   * `prepare`: containers the caller creates as soon as the sandbox is ready; their rootfs is made while
   * the sandbox is (the create with the same name, attempt and image finishes it; the sandbox's failure undoes it),
   * and those with their whole request are created too, beside the pause (a create with an equal request takes them).
   * `signal`: cancels the call while it waits for a start slot (the daemon's PEAPOD_MAX_PARALLEL_POD_STARTS).
   */
  runPodSandbox(config: SandboxConfig, prepare?: readonly ContainerPreparation[], signal?: AbortSignal): Promise<SandboxRecord>;
  stopPodSandbox(id: string, graceMs: number): Promise<void>;
  /** Containers still running get stopGraceMs (default 0: forcibly, as CRI's RemovePodSandbox). */
  removePodSandbox(id: string, stopGraceMs?: number): Promise<void>;
  /** Writes the pod cgroup's new limits and keeps them on the record (UpdatePodSandboxResources). */
  updatePodSandboxResources(id: string, resources: CgroupResources): Promise<SandboxRecord>;

  /** `image` is the record the front already resolved `request.image` to; without it the runtime looks it up. */
  createContainer(sandboxId: string, request: ContainerRequest, image?: ImageRecord): Promise<ContainerRecord>;
  startContainer(id: string): Promise<ContainerRecord>;
  stopContainer(id: string, graceMs: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  /** Writes the container cgroup's new limits and keeps them on the record (UpdateContainerResources). */
  updateContainerResources(id: string, resources: CgroupResources): Promise<ContainerRecord>;
  /** Records the termination message the kubelet read for an exited container. */
  setExitMessage(id: string, message: string): Promise<void>;

  /** Runs a command in a running container and collects its output (probes, hooks, CRI ExecSync). */
  execSync(id: string, argv: readonly string[], timeoutMs: number): Promise<ExecResult>;
  /** The argv that runs a command in a container, for a client or a streaming session to spawn. */
  execCommand(id: string, argv: readonly string[], options: ExecOptions): readonly string[];
  /** conmon's attach socket of a container (CRI Attach with stdin). */
  attachSocketPath(id: string): string;
  /** The container's CRI log file (the sandbox's log directory joined with the container's log path). */
  containerLogPath(id: string): string;

  /** A cgroup's usage and limits; undefined when it is gone (a stopped container has no cgroup). */
  readCgroup(path: string): Promise<CgroupReadback | undefined>;
  /** Every cgroup at or below `path`; empty when it does not exist. */
  listCgroupTree(path: string): Promise<string[]>;
  readonly cgroupVersion: 'v1' | 'v2';
  /** Namespace inodes of a ready sandbox's pause process, by type; empty when it has none (or is gone). */
  sandboxNamespaces(id: string): Promise<Readonly<Record<string, number>>>;
  /** Namespace inodes of a running container's process, by type; empty when it is not running (or gone). */
  containerNamespaces(id: string): Promise<Readonly<Record<string, number>>>;
  /** The runtime's own namespaces (the node's), to tell what a pod shares with the node. */
  nodeNamespaces(): Promise<Readonly<Record<string, number>>>;
  /** The pause binary (catatonit), which ephemeral containers get as their init. */
  readonly pauseBinaryPath: string;
  /** Why pod traffic would not leave the node (IP forwarding off); undefined when it would. */
  networkForwardingProblem(): Promise<string | undefined>;
}
