// Per-container usage read from the cgroups, once, for both the Prometheus endpoint (with cAdvisor's
// metric names) and `peapod top`: CPU time and its rate since the previous sample, memory usage, the
// kubelet's working set (usage less inactive page cache), RSS and the limit. Covers every sandbox, the
// CRI's too, named by the pod metadata the sandbox was created with.
import type { RuntimeService } from '../runtime/service.js';
import type { MetricFamily, Sample } from '../common/metrics.js';

export interface ContainerUsage {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly id: string;
  readonly cpuSeconds?: number;
  /** CPU cores used since the previous sample of this container; absent on the first one. */
  readonly cpuCores?: number;
  readonly memoryUsageBytes?: number;
  readonly memoryWorkingSetBytes?: number;
  readonly memoryRssBytes?: number;
  readonly memoryLimitBytes?: number;
}

/** cgroup v1 reports "no limit" as a page-rounded LONG_MAX; anything this large is no limit. */
const NO_LIMIT = 2 ** 60;

export class NodeStats {
  private readonly last = new Map<string, { nanos: number; at: number }>();

  constructor(private readonly runtime: RuntimeService) {}

  async containers(): Promise<ContainerUsage[]> {
    const out: ContainerUsage[] = [];
    const live = new Set<string>();
    for (const record of this.runtime.containers.list()) {
      if (record.state !== 'running') continue;
      const sandbox = this.runtime.sandboxes.get(record.sandboxId);
      if (!sandbox) continue;
      live.add(record.id);
      const cg = await this.runtime.readCgroup(record.cgroupsPath);
      const at = performance.now();
      const nanos = cg?.cpuUsageNanos;
      const previous = this.last.get(record.id);
      let cpuCores: number | undefined;
      if (nanos !== undefined) {
        if (previous && at > previous.at && nanos >= previous.nanos) cpuCores = (nanos - previous.nanos) / 1e6 / (at - previous.at);
        this.last.set(record.id, { nanos, at });
      }
      const usage = cg?.memoryUsageBytes;
      const inactive = cg?.memoryInactiveFileBytes ?? 0;
      const limit = cg?.memoryLimitBytes;
      out.push({
        namespace: sandbox.config.namespace,
        pod: sandbox.config.name,
        container: record.config.name,
        id: record.id,
        ...(nanos !== undefined ? { cpuSeconds: nanos / 1e9 } : {}),
        ...(cpuCores !== undefined ? { cpuCores } : {}),
        ...(usage !== undefined ? { memoryUsageBytes: usage, memoryWorkingSetBytes: Math.max(0, usage - inactive) } : {}),
        ...(cg?.memoryRssBytes !== undefined ? { memoryRssBytes: cg.memoryRssBytes } : {}),
        ...(limit !== undefined && limit < NO_LIMIT ? { memoryLimitBytes: limit } : {}),
      });
    }
    for (const id of this.last.keys()) if (!live.has(id)) this.last.delete(id);
    return out;
  }
}

/** cAdvisor's and the kubelet's names, as dashboards query them. */
export function containerFamilies(usage: readonly ContainerUsage[], runningPods: number, containerStates: Readonly<Record<string, number>>): MetricFamily[] {
  const family = (name: string, help: string, type: 'counter' | 'gauge', pick: (u: ContainerUsage) => number | undefined): MetricFamily => ({
    name,
    help,
    type,
    samples: usage.flatMap((u): Sample[] => {
      const value = pick(u);
      return value === undefined ? [] : [{ labels: { namespace: u.namespace, pod: u.pod, container: u.container, id: u.id }, value }];
    }),
  });
  return [
    family('container_cpu_usage_seconds_total', 'Cumulative cpu time consumed in seconds.', 'counter', (u) => u.cpuSeconds),
    family('container_memory_working_set_bytes', 'Current working set in bytes.', 'gauge', (u) => u.memoryWorkingSetBytes),
    family(
      'container_memory_usage_bytes',
      'Current memory usage in bytes, including all memory regardless of when it was accessed.',
      'gauge',
      (u) => u.memoryUsageBytes,
    ),
    family('container_memory_rss', 'Size of RSS in bytes.', 'gauge', (u) => u.memoryRssBytes),
    family('container_spec_memory_limit_bytes', 'Memory limit for the container.', 'gauge', (u) => u.memoryLimitBytes),
    { name: 'kubelet_running_pods', help: 'Number of pods that have a running pod sandbox.', type: 'gauge', samples: [{ labels: {}, value: runningPods }] },
    {
      name: 'kubelet_running_containers',
      help: 'Number of containers currently running, by state.',
      type: 'gauge',
      samples: Object.entries(containerStates).map(([state, value]) => ({ labels: { container_state: state }, value })),
    },
  ];
}
