// TypeScript shapes of the CRI messages peapod sends (see proto/api.proto). int64/uint64 are decimal
// strings (proto/load.ts: longs as String), enums their names. Incoming messages are read through
// fields.ts instead, which narrows them field by field.

export type Int64 = string;

export type PodSandboxStateName = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerStateName = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
export type NamespaceModeName = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type MountPropagationName = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
export type ContainerEventTypeName = 'CONTAINER_CREATED_EVENT' | 'CONTAINER_STARTED_EVENT' | 'CONTAINER_STOPPED_EVENT' | 'CONTAINER_DELETED_EVENT';

export const NAMESPACE_MODES: readonly NamespaceModeName[] = ['POD', 'CONTAINER', 'NODE', 'TARGET'];
export const POD_SANDBOX_STATES: readonly PodSandboxStateName[] = ['SANDBOX_READY', 'SANDBOX_NOTREADY'];
export const CONTAINER_STATES: readonly ContainerStateName[] = ['CONTAINER_CREATED', 'CONTAINER_RUNNING', 'CONTAINER_EXITED', 'CONTAINER_UNKNOWN'];
export const MOUNT_PROPAGATIONS: readonly MountPropagationName[] = ['PROPAGATION_PRIVATE', 'PROPAGATION_HOST_TO_CONTAINER', 'PROPAGATION_BIDIRECTIONAL'];
export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export const SECCOMP_PROFILE_TYPES = ['RuntimeDefault', 'Unconfined', 'Localhost'] as const;

export type StringMap = Record<string, string>;

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface NamespaceOption {
  network: NamespaceModeName;
  pid: NamespaceModeName;
  ipc: NamespaceModeName;
  target_id: string;
}

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxStateName;
  created_at: Int64;
  network: { ip: string; additional_ips: { ip: string }[] } | null;
  linux: { namespaces: { options: NamespaceOption } } | null;
  labels: StringMap;
  annotations: StringMap;
  runtime_handler: string;
}

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxStateName;
  created_at: Int64;
  labels: StringMap;
  annotations: StringMap;
  runtime_handler: string;
}

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface ImageSpec {
  image: string;
  annotations: StringMap;
  user_specified_image: string;
  runtime_handler: string;
  image_ref: string;
}

export interface CriMount {
  container_path: string;
  host_path: string;
  readonly: boolean;
  selinux_relabel: boolean;
  propagation: MountPropagationName;
}

export interface LinuxContainerResources {
  cpu_period: Int64;
  cpu_quota: Int64;
  cpu_shares: Int64;
  memory_limit_in_bytes: Int64;
  oom_score_adj: Int64;
  cpuset_cpus: string;
  cpuset_mems: string;
  unified: StringMap;
  memory_swap_limit_in_bytes: Int64;
}

export interface Container {
  id: string;
  pod_sandbox_id: string;
  metadata: ContainerMetadata;
  image: ImageSpec;
  image_ref: string;
  state: ContainerStateName;
  created_at: Int64;
  labels: StringMap;
  annotations: StringMap;
  image_id: string;
}

export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata;
  state: ContainerStateName;
  created_at: Int64;
  started_at: Int64;
  finished_at: Int64;
  exit_code: number;
  image: ImageSpec;
  image_ref: string;
  reason: string;
  message: string;
  labels: StringMap;
  annotations: StringMap;
  mounts: CriMount[];
  log_path: string;
  resources: { linux: LinuxContainerResources } | null;
  image_id: string;
  user: { linux: { uid: Int64; gid: Int64; supplemental_groups: Int64[] } } | null;
}

export interface UInt64Value {
  value: Int64;
}

export interface CpuUsage {
  timestamp: Int64;
  usage_core_nano_seconds: UInt64Value | null;
  usage_nano_cores: UInt64Value | null;
}

export interface MemoryUsage {
  timestamp: Int64;
  working_set_bytes: UInt64Value | null;
  available_bytes: UInt64Value | null;
  usage_bytes: UInt64Value | null;
  rss_bytes: UInt64Value | null;
  page_faults: UInt64Value | null;
  major_page_faults: UInt64Value | null;
}

export interface ContainerStats {
  attributes: { id: string; metadata: ContainerMetadata; labels: StringMap; annotations: StringMap };
  cpu: CpuUsage;
  memory: MemoryUsage;
  writable_layer: null;
}

export interface PodSandboxStats {
  attributes: { id: string; metadata: PodSandboxMetadata; labels: StringMap; annotations: StringMap };
  linux: {
    cpu: CpuUsage;
    memory: MemoryUsage;
    process: { timestamp: Int64; process_count: UInt64Value | null };
    containers: ContainerStats[];
  };
}

export interface CriImage {
  id: string;
  repo_tags: string[];
  repo_digests: string[];
  size: Int64;
  uid: { value: Int64 } | null;
  username: string;
  spec: ImageSpec | null;
  pinned: boolean;
}

export interface FilesystemUsage {
  timestamp: Int64;
  fs_id: { mountpoint: string };
  used_bytes: UInt64Value;
  inodes_used: UInt64Value;
}

export interface ContainerEventResponse {
  container_id: string;
  container_event_type: ContainerEventTypeName;
  created_at: Int64;
  pod_sandbox_status: PodSandboxStatus | null;
  containers_statuses: ContainerStatus[];
}
