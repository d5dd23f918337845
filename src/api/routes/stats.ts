// GET /v1/stats: what `peapod top` shows, from the same samples as the metrics endpoint.
import type { ApiRouter } from '../server.js';
import type { ContainerUsage, NodeStats } from '../../kubelet/node-stats.js';

export type { ContainerUsage } from '../../kubelet/node-stats.js';

export interface StatsResult {
  readonly containers: readonly ContainerUsage[];
}

/** A CPU rate needs two samples: a container seen for the first time is sampled again after this. */
const SECOND_SAMPLE_MS = 1000;

export function registerStatsRoutes(router: ApiRouter, stats: NodeStats): void {
  router.json('GET', '/v1/stats', async (): Promise<StatsResult> => {
    let containers = await stats.containers();
    if (containers.some((c) => c.cpuSeconds !== undefined && c.cpuCores === undefined)) {
      await new Promise((resolve) => setTimeout(resolve, SECOND_SAMPLE_MS));
      containers = await stats.containers();
    }
    return { containers };
  });
}
