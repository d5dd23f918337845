// The media types peapod accepts, from the OCI image spec (media-types.md) and Docker's image manifest v2
// schema 2. Schema 1 (signed, deprecated, removed from docker 20.10's pull path) and anything unknown is refused.
import { invalid, PeapodError } from '../common/errors.js';

export const MT = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNonDistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociLayerNonDistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociLayerNonDistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerZstd: 'application/vnd.docker.image.rootfs.diff.tar.zstd',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

export type Compression = 'none' | 'gzip' | 'zstd';

/** Accept header of a manifest GET: every manifest kind we can read, and nothing else. */
export const MANIFEST_ACCEPT = [MT.ociIndex, MT.ociManifest, MT.dockerManifestList, MT.dockerManifest].join(', ');

export function isIndexType(mediaType: string): boolean {
  return mediaType === MT.ociIndex || mediaType === MT.dockerManifestList;
}

export function isManifestType(mediaType: string): boolean {
  return mediaType === MT.ociManifest || mediaType === MT.dockerManifest;
}

export function isConfigType(mediaType: string): boolean {
  return mediaType === MT.ociConfig || mediaType === MT.dockerConfig;
}

const LAYER_COMPRESSION: Readonly<Record<string, Compression>> = {
  [MT.ociLayer]: 'none',
  [MT.ociLayerGzip]: 'gzip',
  [MT.ociLayerZstd]: 'zstd',
  [MT.dockerLayer]: 'none',
  [MT.dockerLayerGzip]: 'gzip',
  [MT.dockerLayerZstd]: 'zstd',
};

const FOREIGN_LAYERS: ReadonlySet<string> = new Set([
  MT.ociLayerNonDistributable,
  MT.ociLayerNonDistributableGzip,
  MT.ociLayerNonDistributableZstd,
  MT.dockerForeignLayerGzip,
]);

/** The compression of a layer media type; throws for foreign or unknown layers. */
export function layerCompression(mediaType: string, where: string): Compression {
  const c = LAYER_COMPRESSION[mediaType];
  if (c !== undefined) return c;
  if (FOREIGN_LAYERS.has(mediaType)) {
    throw new PeapodError('Unimplemented', `${where}: foreign (non-distributable) layer ${mediaType} is not supported`, {
      hint: 'such layers (Windows base images) are fetched from URLs outside the registry; peapod runs Linux images only',
    });
  }
  throw new PeapodError('Unimplemented', `${where}: unsupported layer media type "${mediaType}"`, {
    hint: `supported layers: ${Object.keys(LAYER_COMPRESSION).join(', ')}`,
  });
}

export function refuseManifestType(mediaType: string, where: string): never {
  if (mediaType === MT.dockerSchema1 || mediaType === MT.dockerSchema1Signed) {
    throw new PeapodError('Unimplemented', `${where}: Docker image manifest schema 1 is not supported`, {
      hint: 'schema 1 is deprecated; push the image again with a current docker, podman, buildah or skopeo (schema 2 or OCI)',
    });
  }
  throw invalid(`${where}: unsupported manifest media type "${mediaType || '(none)'}"`, {
    hint: `supported: ${MANIFEST_ACCEPT}`,
  });
}

/** The compression a blob's first bytes reveal, for archives (docker save) that do not say. */
export function sniffCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

export function ociLayerType(c: Compression): string {
  return c === 'gzip' ? MT.ociLayerGzip : c === 'zstd' ? MT.ociLayerZstd : MT.ociLayer;
}
