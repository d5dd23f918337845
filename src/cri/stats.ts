// ContainerStats, ListContainerStats, PodSandboxStats, ListPodSandboxStats from the cgroups (CPU time,
// memory usage and memory.stat, process count, read back through the runtime). As in
// containerd, usage_nano_cores is the rate between this sample and the previous one of the same cgroup,
// so the first sample has none (CRI: an absent value, not zero).
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
  return ctx.runtime.readCgroup(path);
}

/** The previous CPU sample of each cgroup, for usage_nano_cores; entries of vanished cgroups are pruned. */
export class CpuRates {
  private readonly last = new Map<string, { usageNanos: number; atNanos: bigint }>();

  sample(path: string, timestamp: Int64, usageNanos: number | undefined): CpuUsage {
    if (usageNanos === undefined) {
      this.last.delete(path);
      return { timestamp, usage_core_nano_seconds: null, usage_nano_cores: null };
    }
    const at = BigInt(timestamp);
    const previous = this.last.get(path);
    this.last.set(path, { usageNanos, atNanos: at });
    let rate: number | undefined;
    if (previous && at > previous.atNanos && usageNanos >= previous.usageNanos) {
      rate = Math.round(((usageNanos - previous.usageNanos) * 1e9) / Number(at - previous.atNanos));
    }
    return { timestamp, usage_core_nano_seconds: value(usageNanos), usage_nano_cores: rate === undefined ? null : value(rate) };
  }

  /** Forgets cgroups not in `live` (called with every list, so the map never outgrows the host). */
  retain(live: ReadonlySet<string>): void {
    for (const path of this.last.keys()) if (!live.has(path)) this.last.delete(path);
  }
}

function memoryUsage(timestamp: Int64, cg: CgroupReadback | undefined): MemoryUsage {
  const usage = cg?.memoryUsageBytes;
  const limit = cg?.memoryLimitBytes;
  // The kubelet's working set: usage less the inactive page cache the kernel would drop first.
  const inactive = cg?.memoryInactiveFileBytes ?? 0;
  const workingSet = usage === undefined ? undefined : usage > inactive ? usage - inactive : 0;
  return {
    timestamp,
    working_set_bytes: value(workingSet),
    available_bytes: workingSet !== undefined && limit !== undefined ? value(Math.max(0, limit - workingSet)) : null,
    usage_bytes: value(usage),
    rss_bytes: value(cg?.memoryRssBytes),
    page_faults: value(cg?.pageFaults),
    major_page_faults: value(cg?.majorPageFaults),
  };
}

async function statsOfContainer(ctx: CriContext, record: ContainerRecord): Promise<ContainerStats> {
  const timestamp = nowNanos();
  const cg = record.state === 'running' ? await readCgroup(ctx, record.cgroupsPath) : undefined;
  return {
    attributes: {
      id: record.id,
      metadata: { name: record.config.name, attempt: record.config.attempt },
      labels: { ...record.config.labels },
      annotations: { ...record.config.annotations },
    },
    cpu: ctx.cpuRates.sample(record.cgroupsPath, timestamp, cg?.cpuUsageNanos),
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
      cpu: ctx.cpuRates.sample(record.config.cgroupParent, timestamp, cg?.cpuUsageNanos),
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
  retainLive(ctx);
  return { stats: await Promise.all(records.map((c) => statsOfContainer(ctx, c))) };
}

function retainLive(ctx: CriContext): void {
  const live = new Set([...ctx.runtime.containers.list().map((c) => c.cgroupsPath), ...ctx.runtime.sandboxes.list().map((s) => s.config.cgroupParent)]);
  ctx.cpuRates.retain(live);
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
  retainLive(ctx);
  return { stats: await Promise.all(records.map((s) => statsOfSandbox(ctx, s))) };
}
