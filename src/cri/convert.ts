// Runtime records → CRI messages (statuses, list items), and the resource message ↔ LinuxResources.
// Times are nanoseconds since the epoch as decimal strings; records keep ISO times (ms precision).
import type { LinuxResources } from '../oci/types.js';
import { containerLogPath } from '../runtime/paths.js';
import type { ContainerRecord, SandboxRecord, VolumeMount } from '../runtime/types.js';
import type { Fields } from './fields.js';
import type {
  Container,
  ContainerStateName,
  ContainerStatus,
  CriMount,
  ImageSpec,
  Int64,
  LinuxContainerResources,
  NamespaceOption,
  PodSandbox,
  PodSandboxMetadata,
  PodSandboxStateName,
  PodSandboxStatus,
} from './types.js';

const NS_PER_MS = 1_000_000n;

export function isoToNanos(iso: string | undefined): Int64 {
  if (iso === undefined) return '0';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '0' : (BigInt(ms) * NS_PER_MS).toString();
}

export function nowNanos(now: Date = new Date()): Int64 {
  return (BigInt(now.getTime()) * NS_PER_MS).toString();
}

export function sandboxState(record: SandboxRecord): PodSandboxStateName {
  return record.state === 'ready' ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY';
}

export function sandboxMetadata(record: SandboxRecord): PodSandboxMetadata {
  const { config } = record;
  return { name: config.name, uid: config.uid, namespace: config.namespace, attempt: config.attempt };
}

export function namespaceOption(record: SandboxRecord): NamespaceOption {
  const { config } = record;
  return {
    network: config.network === 'node' ? 'NODE' : 'POD',
    pid: config.pid === 'node' ? 'NODE' : config.pid === 'pod' ? 'POD' : 'CONTAINER',
    ipc: config.ipc === 'node' ? 'NODE' : 'POD',
    target_id: '',
  };
}

export function podSandboxStatus(record: SandboxRecord): PodSandboxStatus {
  const ip = record.state === 'ready' ? record.network?.ip : undefined;
  return {
    id: record.id,
    metadata: sandboxMetadata(record),
    state: sandboxState(record),
    created_at: isoToNanos(record.createdAt),
    network: { ip: ip ?? '', additional_ips: [] },
    linux: { namespaces: { options: namespaceOption(record) } },
    labels: { ...record.config.labels },
    annotations: { ...record.config.annotations },
    runtime_handler: '',
  };
}

export function podSandboxItem(record: SandboxRecord): PodSandbox {
  return {
    id: record.id,
    metadata: sandboxMetadata(record),
    state: sandboxState(record),
    created_at: isoToNanos(record.createdAt),
    labels: { ...record.config.labels },
    annotations: { ...record.config.annotations },
    runtime_handler: '',
  };
}

export function containerState(record: ContainerRecord): ContainerStateName {
  switch (record.state) {
    case 'creating':
    case 'created':
      return 'CONTAINER_CREATED';
    case 'running':
      return 'CONTAINER_RUNNING';
    case 'exited':
      return 'CONTAINER_EXITED';
  }
}

function imageSpec(image: string): ImageSpec {
  return { image, annotations: {}, user_specified_image: '', runtime_handler: '', image_ref: '' };
}

export function containerItem(record: ContainerRecord): Container {
  return {
    id: record.id,
    pod_sandbox_id: record.sandboxId,
    metadata: { name: record.config.name, attempt: record.config.attempt },
    image: imageSpec(record.config.image),
    image_ref: record.imageId,
    state: containerState(record),
    created_at: isoToNanos(record.createdAt),
    labels: { ...record.config.labels },
    annotations: { ...record.config.annotations },
    image_id: record.imageId,
  };
}

const PROPAGATION: Readonly<Record<NonNullable<VolumeMount['propagation']>, CriMount['propagation']>> = {
  private: 'PROPAGATION_PRIVATE',
  rslave: 'PROPAGATION_HOST_TO_CONTAINER',
  rshared: 'PROPAGATION_BIDIRECTIONAL',
};

function criMount(m: VolumeMount): CriMount {
  return {
    container_path: m.containerPath,
    host_path: m.hostPath,
    readonly: m.readOnly,
    selinux_relabel: false,
    propagation: PROPAGATION[m.propagation ?? 'private'],
  };
}

export function criResources(resources: LinuxResources, oomScoreAdj: number): LinuxContainerResources {
  return {
    cpu_period: String(resources.cpuPeriodUs ?? 0),
    cpu_quota: String(resources.cpuQuotaUs ?? 0),
    cpu_shares: String(resources.cpuShares ?? 0),
    memory_limit_in_bytes: String(resources.memoryLimitBytes ?? 0),
    oom_score_adj: String(oomScoreAdj),
    cpuset_cpus: '',
    cpuset_mems: '',
    unified: {},
    memory_swap_limit_in_bytes: '0',
  };
}

/** LinuxContainerResources → peapod's resources; 0 (and the -1 "unlimited" quota) means unset. */
export function readResources(f: Fields | undefined): LinuxResources {
  if (!f) return {};
  const positive = (key: string): number | undefined => {
    const v = f.int(key);
    return v > 0 ? v : undefined;
  };
  const cpuShares = positive('cpu_shares');
  const cpuQuotaUs = positive('cpu_quota');
  const cpuPeriodUs = positive('cpu_period');
  const memoryLimitBytes = positive('memory_limit_in_bytes');
  return {
    ...(cpuShares !== undefined ? { cpuShares } : {}),
    ...(cpuQuotaUs !== undefined ? { cpuQuotaUs } : {}),
    ...(cpuPeriodUs !== undefined ? { cpuPeriodUs } : {}),
    ...(memoryLimitBytes !== undefined ? { memoryLimitBytes } : {}),
  };
}

export function containerStatus(record: ContainerRecord, sandbox: SandboxRecord | undefined): ContainerStatus {
  const { config } = record;
  const exit = record.state === 'exited' ? record.exit : undefined;
  return {
    id: record.id,
    metadata: { name: config.name, attempt: config.attempt },
    state: containerState(record),
    created_at: isoToNanos(record.createdAt),
    started_at: isoToNanos(record.startedAt),
    finished_at: isoToNanos(exit?.finishedAt),
    exit_code: exit?.exitCode ?? 0,
    image: imageSpec(config.image),
    image_ref: record.imageId,
    reason: exit?.reason ?? '',
    message: exit?.message ?? '',
    labels: { ...config.labels },
    annotations: { ...config.annotations },
    mounts: config.mounts.map(criMount),
    log_path: sandbox ? containerLogPath(sandbox, record) : config.logPath,
    resources: { linux: criResources(config.resources, config.oomScoreAdj) },
    image_id: record.imageId,
    user: {
      linux: {
        uid: String(record.user?.uid ?? 0),
        gid: String(record.user?.gid ?? 0),
        supplemental_groups: (record.user?.additionalGids ?? []).map(String),
      },
    },
  };
}
