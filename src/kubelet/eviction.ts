// Node-pressure eviction, after the kubelet's eviction manager with hard thresholds only: every period
// the signals are observed (memory.available from /proc/meminfo's MemAvailable; nodefs.available and
// imagefs.available from the root's filesystem, where peapod keeps both logs and images), and while one
// is below its threshold, one pod per period is evicted: BestEffort before Burstable before Guaranteed,
// then the one using the most above its requests (memory) or the most disk (its logs).
// Only peapod's own pods: the CRI's belong to the kubelet that drives them, which evicts them itself.
import { readFile, readdir, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { PeapodError, errorMessage } from '../common/errors.js';
import { metrics } from '../common/metrics.js';
import { parseByteSize } from '../common/ops-config.js';
import type { Pod } from '../kube/types.js';
import { memoryBytes } from '../kube/quantity.js';
import { podQosClass, type QosClass } from '../kube/qos.js';
import { fsUsage } from './image-gc.js';
import type { RuntimeService } from '../runtime/service.js';
import { podLogDirectory } from './convert.js';
import type { PodRecord } from './pod-record.js';

export type EvictionSignal = 'memory.available' | 'nodefs.available' | 'imagefs.available';

export interface EvictionThreshold {
  readonly signal: EvictionSignal;
  readonly bytes?: number;
  readonly percent?: number;
}

const SIGNALS: readonly EvictionSignal[] = ['memory.available', 'nodefs.available', 'imagefs.available'];

/** "memory.available<100Mi,nodefs.available<10%": the kubelet's --eviction-hard syntax. */
export function parseEvictionThresholds(text: string, field: string): EvictionThreshold[] {
  if (text.trim() === 'none') return [];
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((entry) => {
      const m = /^([a-z.]+)<(.+)$/.exec(entry);
      const signal = SIGNALS.find((s) => s === m?.[1]);
      if (!m || !signal) throw new PeapodError('InvalidArgument', `${field}: "${entry}" is not <signal><<quantity> with a signal of ${SIGNALS.join(', ')}`);
      const value = m[2] ?? '';
      if (value.endsWith('%')) {
        const percent = Number(value.slice(0, -1));
        if (!(percent >= 0 && percent <= 100)) throw new PeapodError('InvalidArgument', `${field}: "${value}" is not a percentage`);
        return { signal, percent };
      }
      return { signal, bytes: parseByteSize(value, field) };
    });
}

export interface Observation {
  readonly availableBytes: number;
  readonly capacityBytes: number;
}

/** A pod the manager may evict, with what the ranking needs. */
export interface EvictionCandidate {
  readonly uid: string;
  readonly pod: Pod;
  readonly memoryUsageBytes: number;
  readonly diskUsageBytes: number;
}

export interface EvictionDeps {
  readonly thresholds: readonly EvictionThreshold[];
  readonly periodMs: number;
  readonly rootPath: string;
  readonly candidates: () => Promise<EvictionCandidate[]>;
  readonly evict: (uid: string, message: string) => Promise<void>;
  readonly log: (message: string) => void;
  readonly meminfoPath?: string;
}

const QOS_ORDER: Readonly<Record<QosClass, number>> = { BestEffort: 0, Burstable: 1, Guaranteed: 2 };

function memoryRequests(pod: Pod): number {
  return pod.spec.containers.reduce((sum, c) => {
    const request = c.resources?.requests?.['memory'] ?? c.resources?.limits?.['memory'];
    return sum + (request !== undefined ? memoryBytes(String(request)) : 0);
  }, 0);
}

/** The kubelet's order: lower QoS first, then usage above requests (memory) or usage (disk), most first. */
export function rankForEviction(candidates: readonly EvictionCandidate[], signal: EvictionSignal): EvictionCandidate[] {
  const score = (c: EvictionCandidate): number => (signal === 'memory.available' ? c.memoryUsageBytes - memoryRequests(c.pod) : c.diskUsageBytes);
  return [...candidates].sort((a, b) => QOS_ORDER[podQosClass(a.pod)] - QOS_ORDER[podQosClass(b.pod)] || score(b) - score(a));
}

const mi = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)}Mi`;

export class EvictionManager {
  private timer: NodeJS.Timeout | undefined;
  private pressure: EvictionSignal[] = [];

  constructor(private readonly deps: EvictionDeps) {}

  /** Signals under pressure at the last check (for `peapod info`). */
  underPressure(): readonly EvictionSignal[] {
    return this.pressure;
  }

  start(): void {
    if (this.deps.thresholds.length === 0) return;
    const tick = (): void => {
      void this.check()
        .catch((err: unknown) => this.deps.log(`eviction: ${errorMessage(err)}`))
        .finally(() => {
          this.timer = setTimeout(tick, this.deps.periodMs);
          this.timer.unref();
        });
    };
    this.timer = setTimeout(tick, this.deps.periodMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  async observe(signal: EvictionSignal): Promise<Observation> {
    if (signal === 'memory.available') {
      const text = await readFile(this.deps.meminfoPath ?? '/proc/meminfo', 'utf8');
      const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
      return { availableBytes: field('MemAvailable'), capacityBytes: field('MemTotal') };
    }
    const usage = await fsUsage(this.deps.rootPath);
    return { availableBytes: usage.availableBytes, capacityBytes: usage.capacityBytes };
  }

  /** One housekeeping pass: at most one pod evicted, as the kubelet does. */
  async check(): Promise<void> {
    const pressed: { threshold: EvictionThreshold; observed: Observation; limit: number }[] = [];
    for (const threshold of this.deps.thresholds) {
      const observed = await this.observe(threshold.signal);
      const limit = threshold.bytes ?? ((threshold.percent ?? 0) / 100) * observed.capacityBytes;
      if (observed.availableBytes < limit) pressed.push({ threshold, observed, limit });
    }
    this.pressure = pressed.map((p) => p.threshold.signal);
    const first = pressed[0];
    if (!first) return;
    const ranked = rankForEviction(await this.deps.candidates(), first.threshold.signal);
    const victim = ranked[0];
    if (!victim) return;
    const resource = first.threshold.signal === 'memory.available' ? 'memory' : 'ephemeral-storage';
    const message = `The node was low on resource: ${resource}. Threshold quantity: ${mi(first.limit)}, available: ${mi(first.observed.availableBytes)}. Pod ${victim.pod.metadata.name} (${podQosClass(victim.pod)}) was using ${mi(resource === 'memory' ? victim.memoryUsageBytes : victim.diskUsageBytes)}.`;
    this.deps.log(
      `eviction: ${first.threshold.signal} under pressure; evicting pod ${victim.pod.metadata.namespace ?? 'default'}/${victim.pod.metadata.name}: ${message}`,
    );
    metrics.evictions.inc({ signal: first.threshold.signal });
    await this.deps.evict(victim.uid, message);
  }
}

/** Bytes under `dir` (a pod's log directory: conmon writes it, no container can reshape it), not following links. */
export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(path);
    else
      total += await lstat(path).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}

/** Running pods with their memory working set (pod cgroup, inactive file pages excluded) and log bytes. */
export async function podEvictionCandidates(records: readonly PodRecord[], runtime: RuntimeService, logRoot: string): Promise<EvictionCandidate[]> {
  const out: EvictionCandidate[] = [];
  for (const record of records) {
    if (record.terminalPhase || record.deletion || record.sandboxId === undefined) continue;
    const sandbox = runtime.sandboxes.get(record.sandboxId);
    if (sandbox?.state !== 'ready') continue;
    const cg = await runtime.readCgroup(sandbox.config.cgroupParent);
    const usage = cg?.memoryUsageBytes ?? 0;
    const memoryUsageBytes = Math.max(0, usage - (cg?.memoryInactiveFileBytes ?? 0));
    const diskUsageBytes = await directorySize(podLogDirectory(logRoot, record.pod));
    out.push({ uid: record.id, pod: record.pod, memoryUsageBytes, diskUsageBytes });
  }
  return out;
}
