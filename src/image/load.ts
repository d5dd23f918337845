// `peapod load`: images from an OCI image layout (directory or tar) or a docker-archive tar (docker save),
// verified into the same content store as pulls. Names come from the annotation io.containerd.image.name,
// else org.opencontainers.image.ref.name (a full reference, or a bare tag), else docker's RepoTags.
import { basename } from 'node:path';
import { PeapodError, invalid } from '../common/errors.js';
import { openArchive, type Archive } from './archive.js';
import type { ContentStore } from './content-store.js';
import { parseConfigDocument, parseManifestDocument, type Descriptor } from './manifest.js';
import { MT, sniffCompression } from './media-types.js';
import { selectPlatformEntry, type Platform } from './platform.js';
import { checkPlatform, layersOf, unpackLayers, type PulledImage, type Unpacker } from './pull.js';
import { isReference, parseReference, repositoryName, storedName } from './reference.js';
import { mapConcurrent } from '../common/concurrency.js';
import type { ImageLayer, PullProgress } from './types.js';

export const ANNOTATION_CONTAINERD_NAME = 'io.containerd.image.name';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
/** Registry given to images whose archive names only a tag (podman names unqualified local images localhost/…). */
export const LOCAL_REGISTRY = 'localhost';
const TAG_RE = /^[\w][\w.-]{0,127}$/;

export interface LoadContext {
  readonly store: ContentStore;
  readonly unpacker: Unpacker;
  readonly platform: Platform;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: PullProgress) => void;
}

export interface LoadedImage {
  readonly image: PulledImage;
  readonly names: string[];
}

/** Files of an archive stored concurrently (they are local: the disk, not the network, limits). */
const LOAD_CONCURRENCY = 2;

function archiveBaseName(path: string): string {
  const base = basename(path)
    .replace(/\.(tar|tar\.gz|tgz|oci|ocidir)$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-');
  return base.replace(/^[^a-z0-9]+/, '').replace(/[^a-z0-9]+$/, '') || 'image';
}

/** A name from an index entry's annotations, or undefined when it has none we can use. */
export function nameFromAnnotations(annotations: Readonly<Record<string, string>> | undefined, archivePath: string): string | undefined {
  const full = annotations?.[ANNOTATION_CONTAINERD_NAME];
  if (full !== undefined && isReference(full)) return storedName(parseReference(full));
  const ref = annotations?.[ANNOTATION_REF_NAME];
  if (ref === undefined || ref === '') return undefined;
  // A bare tag (what skopeo's oci:DIR:TAG and the OCI spec write) has no repository: name it after the archive.
  if (!ref.includes('/') && !ref.includes(':') && !ref.includes('@') && TAG_RE.test(ref)) {
    return storedName(parseReference(`${LOCAL_REGISTRY}/${archiveBaseName(archivePath)}:${ref}`));
  }
  return isReference(ref) ? storedName(parseReference(ref)) : undefined;
}

async function storeLayers(archive: Archive, layers: readonly Descriptor[], paths: readonly string[], ctx: LoadContext): Promise<void> {
  await mapConcurrent(layers, LOAD_CONCURRENCY, async (layer, i) => {
    await archive.store(paths[i] ?? '', { digest: layer.digest, size: layer.size }, ctx.signal);
    ctx.onProgress?.({ phase: 'verifying', digest: layer.digest, current: layer.size, total: layer.size });
  });
}

const blobPath = (digest: string): string => `blobs/sha256/${digest.slice('sha256:'.length)}`;

async function loadOciManifest(archive: Archive, desc: Descriptor, topDigest: string, names: string[], ctx: LoadContext, source: string): Promise<LoadedImage> {
  const where = `${source}: manifest ${desc.digest}`;
  const parsed = parseManifestDocument(await archive.read(blobPath(desc.digest), desc), desc.mediaType, where);
  if (parsed.kind !== 'manifest') throw new PeapodError('Unimplemented', `${where}: an index inside an index is not supported`);
  const manifest = parsed.doc;
  const config = parseConfigDocument(await archive.read(blobPath(manifest.config.digest), manifest.config), `${source}: config ${manifest.config.digest}`);
  checkPlatform(config, ctx.platform, source);
  const layers = layersOf(manifest, config, where);
  await storeLayers(
    archive,
    manifest.layers,
    manifest.layers.map((l) => blobPath(l.digest)),
    ctx,
  );
  const image: { -readonly [K in keyof PulledImage]: PulledImage[K] } = {
    id: manifest.config.digest,
    repoDigests: names.map((n) => `${repositoryName(parseReference(n))}@${topDigest}`),
    manifestDigest: desc.digest,
    os: config.os,
    architecture: config.architecture,
    size: manifest.config.size + layers.reduce((s, l) => s + l.size, 0),
    layers,
    config: config.runtime,
  };
  if (config.variant !== undefined) image.variant = config.variant;
  if (config.created !== undefined) image.created = config.created;
  return { image, names };
}

async function loadOciLayout(archive: Archive, ctx: LoadContext, source: string): Promise<LoadedImage[]> {
  const index = parseManifestDocument(await archive.read('index.json'), MT.ociIndex, `${source}: index.json`);
  if (index.kind !== 'index') throw invalid(`${source}: index.json is not an image index`);
  const out: LoadedImage[] = [];
  for (const entry of index.doc.manifests) {
    if (entry.platform && selectPlatformEntry([entry], ctx.platform) === undefined) continue;
    const name = nameFromAnnotations(entry.annotations, source);
    const names = name === undefined ? [] : [name];
    let desc: Descriptor | undefined = entry;
    if (entry.mediaType === MT.ociIndex || entry.mediaType === MT.dockerManifestList) {
      const nested = parseManifestDocument(await archive.read(blobPath(entry.digest), entry), entry.mediaType, `${source}: index ${entry.digest}`);
      desc = nested.kind === 'index' ? selectPlatformEntry(nested.doc.manifests, ctx.platform) : undefined;
      if (!desc) continue;
    }
    out.push(await loadOciManifest(archive, desc, entry.digest, names, ctx, source));
  }
  return out;
}

interface DockerArchiveEntry {
  readonly Config: string;
  readonly RepoTags?: readonly string[] | null;
  readonly Layers: readonly string[];
}

function parseDockerManifest(bytes: Buffer, source: string): DockerArchiveEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (err) {
    throw invalid(`${source}: manifest.json is not valid JSON`, { cause: err });
  }
  const ok = (e: unknown): e is DockerArchiveEntry =>
    typeof e === 'object' && e !== null && typeof (e as DockerArchiveEntry).Config === 'string' && Array.isArray((e as DockerArchiveEntry).Layers);
  if (!Array.isArray(value) || !value.every(ok)) throw invalid(`${source}: manifest.json is not a docker-archive manifest ([{Config, RepoTags, Layers}])`);
  return value;
}

async function loadDockerEntry(archive: Archive, entry: DockerArchiveEntry, ctx: LoadContext, source: string): Promise<LoadedImage> {
  const configRef = await archive.store(entry.Config);
  const config = parseConfigDocument(await ctx.store.read(configRef.digest), `${source}: ${entry.Config}`);
  checkPlatform(config, ctx.platform, source);
  const stored = await mapConcurrent(entry.Layers, LOAD_CONCURRENCY, (p) => archive.store(p, undefined, ctx.signal));
  const descriptors: Descriptor[] = [];
  for (const blob of stored) {
    const head = (await ctx.store.read(blob.digest)).subarray(0, 4);
    const c = sniffCompression(head);
    const mediaType = c === 'gzip' ? MT.dockerLayerGzip : c === 'zstd' ? MT.ociLayerZstd : MT.dockerLayer;
    descriptors.push({ mediaType, digest: blob.digest, size: blob.size });
  }
  // docker save has no manifest: write the schema 2 manifest docker would push, as containerd's importer does.
  const manifest = {
    schemaVersion: 2,
    mediaType: MT.dockerManifest,
    config: { mediaType: MT.dockerConfig, size: configRef.size, digest: configRef.digest },
    layers: descriptors,
  };
  const manifestDigest = await ctx.store.putBuffer(Buffer.from(JSON.stringify(manifest)));
  const layers: ImageLayer[] = layersOf({ mediaType: MT.dockerManifest, config: manifest.config, layers: descriptors }, config, `${source}: ${entry.Config}`);
  const names = (entry.RepoTags ?? []).filter(isReference).map((t) => storedName(parseReference(t)));
  const image: { -readonly [K in keyof PulledImage]: PulledImage[K] } = {
    id: configRef.digest,
    repoDigests: [],
    manifestDigest,
    os: config.os,
    architecture: config.architecture,
    size: configRef.size + layers.reduce((s, l) => s + l.size, 0),
    layers,
    config: config.runtime,
  };
  if (config.variant !== undefined) image.variant = config.variant;
  if (config.created !== undefined) image.created = config.created;
  return { image, names };
}

/** Loads every image of the archive that runs on this platform, unpacked and ready; names not yet applied. */
export async function loadArchive(path: string, ctx: LoadContext): Promise<LoadedImage[]> {
  ctx.onProgress?.({ phase: 'resolving', message: path });
  const archive = await openArchive(path, ctx.store, ctx.signal);
  let images: LoadedImage[];
  if (archive.has('index.json') && archive.has('oci-layout')) images = await loadOciLayout(archive, ctx, path);
  else if (archive.has('manifest.json')) {
    const entries = parseDockerManifest(await archive.read('manifest.json'), path);
    images = [];
    for (const entry of entries) images.push(await loadDockerEntry(archive, entry, ctx, path));
  } else {
    throw invalid(`${path}: neither an OCI image layout (oci-layout + index.json) nor a docker-archive (manifest.json)`, {
      hint: 'create one with: skopeo copy … oci:DIR, oci-archive:FILE or docker-archive:FILE, or docker save',
    });
  }
  if (images.length === 0) throw new PeapodError('NotFound', `${path}: no image for this platform in the archive`);
  for (const { image } of images) await unpackLayers(image.layers, ctx);
  ctx.onProgress?.({ phase: 'done', message: path });
  return images;
}
