// What `peapod info` says about running for weeks: the root filesystem's use (logs and image blobs
// counted), image GC's last pass, log rotation's settings and count, eviction thresholds and pressure, and
// how many pod sandboxes are made at once.
import type { PeapodConfig } from '../common/config.js';
import { paths } from '../common/config.js';
import type { OpsInfo } from '../api/routes/system.js';
import { directorySize, type EvictionManager } from '../kubelet/eviction.js';
import { fsUsage, type ImageGcManager } from '../kubelet/image-gc.js';
import type { PodManager } from '../kubelet/manager.js';

export async function operationsInfo(config: PeapodConfig, imageGc: ImageGcManager, pods: PodManager, eviction: EvictionManager): Promise<OpsInfo> {
  const p = paths(config);
  const [usage, logsBytes, imageBlobsBytes] = await Promise.all([fsUsage(config.root), directorySize(p.logs), directorySize(p.blobs)]);
  const gc = imageGc.state();
  return {
    disk: {
      path: config.root,
      capacityBytes: usage.capacityBytes,
      availableBytes: usage.availableBytes,
      usedPercent: usage.usedPercent,
      logsBytes,
      imageBlobsBytes,
    },
    imageGc: {
      highPercent: config.imageGcHighPercent,
      lowPercent: config.imageGcLowPercent,
      ...(gc.lastRunAt !== undefined ? { lastRunAt: gc.lastRunAt } : {}),
      imagesRemoved: gc.imagesRemoved,
      lastRemoved: gc.lastRemoved,
      ...(gc.lastError !== undefined ? { lastError: gc.lastError } : {}),
    },
    logRotation: {
      maxSize: config.containerLogMaxSize,
      maxFiles: config.containerLogMaxFiles,
      compress: config.containerLogCompress,
      rotations: pods.logRotator?.rotations ?? 0,
    },
    eviction: { hard: config.evictionHard, underPressure: eviction.underPressure() },
    metricsAddress: config.metricsAddress,
    maxParallelPodStarts: config.maxParallelPodStarts,
  };
}
