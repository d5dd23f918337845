// Garbage collection of shared content (containerd's GC by references, reduced to what peapod stores):
// a blob or an unpacked layer stays while some image record references it, and goes otherwise. Runs
// under the service's exclusive lock, so no pull is between storing a blob and recording its image.
import { blobsOf } from './lookup.js';
import type { ContentStore } from './content-store.js';
import type { ImageRecord } from './types.js';

/** The part of the snapshotter GC needs (src/image/snapshots/snapshotter.ts). */
export interface SnapshotIndex {
  list(): Promise<string[]>;
  remove(chainId: string): Promise<void>;
}

export interface GcResult {
  readonly blobs: readonly string[];
  readonly snapshots: readonly string[];
  readonly reclaimedBytes: number;
}

export async function collectGarbage(
  records: readonly ImageRecord[],
  store: ContentStore,
  snapshots: SnapshotIndex,
  chainIds: (diffIds: readonly string[]) => string[],
): Promise<GcResult> {
  const keepBlobs = new Set(records.flatMap(blobsOf));
  const keepChains = new Set(records.flatMap((r) => chainIds(r.layers.map((l) => l.diffId))));
  const removedBlobs: string[] = [];
  let reclaimedBytes = 0;
  for (const digest of await store.list()) {
    if (keepBlobs.has(digest)) continue;
    reclaimedBytes += await store.remove(digest);
    removedBlobs.push(digest);
  }
  const removedSnapshots: string[] = [];
  for (const chainId of await snapshots.list()) {
    if (keepChains.has(chainId)) continue;
    await snapshots.remove(chainId);
    removedSnapshots.push(chainId);
  }
  return { blobs: removedBlobs, snapshots: removedSnapshots, reclaimedBytes };
}
