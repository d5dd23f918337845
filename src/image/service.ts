// The image service as the daemon builds it: the local store under <root>/images, layers unpacked by the
// snapshotter under <root>/snapshots, the platform of this host.
import { paths, type PeapodConfig } from '../common/config.js';
import { LocalImageService } from './image-service.js';
import { Snapshotter, chainIds } from './snapshots/snapshotter.js';
import type { ImageService } from './types.js';
import type { MirrorMap } from './registry/mirrors.js';

export function createImageService(config: PeapodConfig, mirrors?: MirrorMap): ImageService {
  const p = paths(config);
  return new LocalImageService({ config, imagesRoot: p.images, snapshotter: new Snapshotter(p.snapshots), chainIds, ...(mirrors ? { mirrors } : {}) });
}
