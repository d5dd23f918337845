// ContainerStats, ListContainerStats, PodSandboxStats, ListPodSandboxStats from the cgroups (memory
// usage and process count read back by the runtime host's cgroup manager). The cgroup contract reads no
// CPU usage counter yet, so cpu carries only its timestamp (CRI: an absent value, not zero).
import type { CgroupReadback } from '../host/cgroups/types.js';
import type { ContainerRecord, SandboxRecord } from '../runtime/types.js';
import type { CriContext } from './context.js';
import { nowNanos } from './convert.js';
import type { Fields } from './fields.js';
import { matchesLabels, requireContainer, requireSandbox } from './lookup.js';
import type { ContainerStats, CpuUsage, Int64, MemoryUsage, PodSandboxStats, UInt64Value } from './types.js';

const value = (n: number | undefined): UInt64Value | null => (n === undefined ? null : { value: String(n) });

async function readCgroup(ctx: CriContext, path: string): Promise<CgroupReadback | undefined> {
  // A container that is gone or never started has no cgroup: stats are then empty, not an error.
  return ctx.runtime.host.cgroups.read(path).catch(() => undefined);
}

function cpuUsage(timestamp: Int64): CpuUsage {
  return { timestamp, usage_core_nano_seconds: null, usage_nano_cores: null };
}

function memoryUsage(timestamp: Int64, cg: CgroupReadback | undefined): MemoryUsage {
  const usage = cg?.memoryUsageBytes;
  const limit = cg?.memoryLimitBytes;
  return {
    timestamp,
    // Without memory.stat's inactive_file the working set is the usage (an upper bound of the kubelet's figure).
    working_set_bytes: value(usage),
    available_bytes: usage !== undefined && limit !== undefined ? value(Math.max(0, limit - usage)) : null,
    usage_bytes: value(usage),
    rss_bytes: null,
    page_faults: null,
    major_page_faults: null,
  };
}

async function statsOfContainer(ctx: CriContext, record: ContainerRecord): Promise<ContainerStats> {
  const timestamp = nowNanos();
  const cg = record.state === 'running' ? await readCgroup(ctx, record.cgroupsPath) : undefined;
  return {
    attributes: { id: record.id, metadata: { name: record.config.name, attempt: record.config.attempt }, labels: { ...record.config.labels }, annotations: { ...record.config.annotations } },
    cpu: cpuUsage(timestamp),
    memory: memoryUsage(timestamp, cg),
    writable_layer: null,
  };
}

async function statsOfSandbox(ctx: CriContext, record: SandboxRecord): Promise<PodSandboxStats> {
  const timestamp = nowNanos();
  const cg = await readCgroup(ctx, record.config.cgroupParent);
  const containers = ctx.runtime.containersOf(record.id).filter((c) => c.state === 'running');
  const { config } = record;
  return {
    attributes: {
      id: record.id,
      metadata: { name: config.name, uid: config.uid, namespace: config.namespace, attempt: config.attempt },
      labels: { ...config.labels },
      annotations: { ...config.annotations },
    },
    linux: {
      cpu: cpuUsage(timestamp),
      memory: memoryUsage(timestamp, cg),
      process: { timestamp, process_count: value(cg?.pidsCurrent) },
      containers: await Promise.all(containers.map((c) => statsOfContainer(ctx, c))),
    },
  };
}

export async function containerStats(ctx: CriContext, request: Fields): Promise<object> {
  return { stats: await statsOfContainer(ctx, requireContainer(ctx.runtime, request.str('container_id'))) };
}

export async function listContainerStats(ctx: CriContext, request: Fields): Promise<object> {
  const filter = request.msg('filter');
  const id = filter?.str('id') ?? '';
  const sandboxId = filter?.str('pod_sandbox_id') ?? '';
  const selector = filter?.strMap('label_selector') ?? {};
  const records = ctx.runtime.containers
    .list()
    // The kubelet asks for the stats of running containers (containerd lists only those too).
    .filter((c) => c.state === 'running')
    .filter((c) => id === '' || c.id.startsWith(id))
    .filter((c) => sandboxId === '' || c.sandboxId.startsWith(sandboxId))
    .filter((c) => matchesLabels(c.config.labels, selector));
  return { stats: await Promise.all(records.map((c) => statsOfContainer(ctx, c))) };
}

export async function podSandboxStats(ctx: CriContext, request: Fields): Promise<object> {
  return { stats: await statsOfSandbox(ctx, requireSandbox(ctx.runtime, request.str('pod_sandbox_id'))) };
}

export async function listPodSandboxStats(ctx: CriContext, request: Fields): Promise<object> {
  const filter = request.msg('filter');
  const id = filter?.str('id') ?? '';
  const selector = filter?.strMap('label_selector') ?? {};
  const records = ctx.runtime.sandboxes
    .list()
    .filter((s) => s.state === 'ready')
    .filter((s) => id === '' || s.id.startsWith(id))
    .filter((s) => matchesLabels(s.config.labels, selector));
  return { stats: await Promise.all(records.map((s) => statsOfSandbox(ctx, s))) };
}
