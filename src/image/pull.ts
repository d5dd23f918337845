// One image pull, the way containerd's and CRI-O's pullers order it: resolve the reference to a manifest
// (through an index to this host's platform), fetch and verify the config, fetch the layers concurrently
// into the content store (each digest-verified while streaming, resumable), then unpack them bottom-up.
// The caller (service.ts) writes the record; this file never touches names.
import { PeapodError } from '../common/errors.js';
import type { ContentStore } from './content-store.js';
import { parseConfigDocument, parseManifestDocument, type ConfigDocument, type Descriptor, type ManifestDocument } from './manifest.js';
import { formatPlatform, normalizePlatform, selectPlatformEntry, type Platform } from './platform.js';
import { formatReference, repositoryName, type ImageReference } from './reference.js';
import type { RegistryClient, Repo } from './registry/client.js';
import { withRetries } from './registry/http.js';
import { mapConcurrent } from '../common/concurrency.js';
import type { ImageLayer, ImageRecord, PullProgress } from './types.js';

/** Layers downloaded at once: containerd's default max_concurrent_downloads is 3, as is docker's. */
export const LAYER_CONCURRENCY = 3;

export interface LayerToUnpack {
  readonly diffId: string;
  readonly blobPath: string;
  readonly mediaType: string;
}

/** What pull needs of the snapshotter (src/image/snapshots/snapshotter.ts). */
export interface Unpacker {
  ensure(layers: readonly LayerToUnpack[], signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<string[]>;
}

export interface PullContext {
  readonly store: ContentStore;
  readonly client: RegistryClient;
  readonly unpacker: Unpacker;
  readonly platform: Platform;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: PullProgress) => void;
}

/** A pulled image before it has names: the service adds them and stores it. */
export type PulledImage = Omit<ImageRecord, 'names' | 'storedAt'>;

interface Resolved {
  readonly manifest: ManifestDocument;
  readonly manifestDigest: string;
  /** The digest the reference resolved to first: an index's when it was one (docker's RepoDigest). */
  readonly topDigest: string;
}

async function resolve(ref: ImageReference, ctx: PullContext): Promise<Resolved> {
  const repo: Repo = { registry: ref.registry, repository: ref.repository };
  const name = formatReference(ref);
  ctx.onProgress?.({ phase: 'resolving', message: name });
  const top = await ctx.client.getManifest(repo, ref.digest ?? ref.tag ?? 'latest', ctx.signal);
  const parsed = parseManifestDocument(top.bytes, top.contentType, `manifest of ${name}`);
  await ctx.store.putBuffer(top.bytes, { digest: top.digest, size: top.bytes.length }, `manifest of ${name}`);
  if (parsed.kind === 'manifest') return { manifest: parsed.doc, manifestDigest: top.digest, topDigest: top.digest };
  const entry = selectPlatformEntry(parsed.doc.manifests, ctx.platform);
  if (!entry) {
    const available = parsed.doc.manifests.map((m) => (m.platform ? formatPlatform(m.platform) : '(unlabelled)')).join(', ');
    throw new PeapodError('NotFound', `${name}: no image for platform ${formatPlatform(ctx.platform)} in its index`, {
      hint: `the index offers: ${available || 'nothing'}`,
    });
  }
  const child = await ctx.client.getManifest(repo, entry.digest, ctx.signal);
  const where = `manifest ${entry.digest} of ${name}`;
  if (child.bytes.length !== entry.size) {
    throw new PeapodError('DataLoss', `${where}: size mismatch: the index says ${entry.size} bytes, got ${child.bytes.length}`);
  }
  const inner = parseManifestDocument(child.bytes, child.contentType, where);
  if (inner.kind !== 'manifest') throw new PeapodError('Unimplemented', `${where}: an index inside an index is not supported`);
  await ctx.store.putBuffer(child.bytes, { digest: entry.digest, size: entry.size }, where);
  return { manifest: inner.doc, manifestDigest: entry.digest, topDigest: top.digest };
}

async function fetchConfig(repo: Repo, desc: Descriptor, ctx: PullContext, name: string): Promise<ConfigDocument> {
  const where = `config ${desc.digest} of ${name}`;
  let bytes: Buffer;
  if (await ctx.store.has(desc.digest)) {
    bytes = await ctx.store.read(desc.digest);
  } else {
    bytes = await ctx.client.getSmallBlob(repo, desc.digest, ctx.signal);
    await ctx.store.putBuffer(bytes, { digest: desc.digest, size: desc.size }, where);
  }
  return parseConfigDocument(bytes, where);
}

async function fetchLayer(repo: Repo, layer: Descriptor, ctx: PullContext): Promise<string> {
  const { signal, onProgress } = ctx;
  const expected = { digest: layer.digest, size: layer.size };
  const result = await withRetries(
    () =>
      ctx.store.ingest(expected, ctx.client.blobSource(repo, layer.digest), {
        ...(signal ? { signal } : {}),
        onProgress: (current, total) => onProgress?.({ phase: 'downloading', digest: layer.digest, current, total }),
      }),
    signal,
  );
  onProgress?.({ phase: result.downloaded ? 'verifying' : 'cached', digest: layer.digest, current: layer.size, total: layer.size });
  return result.path;
}

export function checkPlatform(config: ConfigDocument, target: Platform, name: string): void {
  if (config.os === '' && config.architecture === '') return;
  const got = normalizePlatform(config);
  const want = normalizePlatform(target);
  if (got.os !== want.os || got.architecture !== want.architecture) {
    throw new PeapodError('FailedPrecondition', `${name} is for ${formatPlatform(got)}, this host runs ${formatPlatform(want)}`);
  }
}

export function layersOf(manifest: ManifestDocument, config: ConfigDocument, where: string): ImageLayer[] {
  if (config.diffIds.length !== manifest.layers.length) {
    throw new PeapodError('DataLoss', `${where}: the manifest lists ${manifest.layers.length} layers but the config ${config.diffIds.length} diff_ids`);
  }
  return manifest.layers.map((l, i) => ({ digest: l.digest, diffId: config.diffIds[i] ?? '', size: l.size, mediaType: l.mediaType }));
}

export async function unpackLayers(layers: readonly ImageLayer[], ctx: Pick<PullContext, 'store' | 'unpacker' | 'signal' | 'onProgress'>): Promise<string[]> {
  ctx.onProgress?.({ phase: 'unpacking', current: 0, total: layers.length });
  return ctx.unpacker.ensure(
    layers.map((l) => ({ diffId: l.diffId, blobPath: ctx.store.path(l.digest), mediaType: l.mediaType })),
    ctx.signal,
    (done, total) => ctx.onProgress?.({ phase: 'unpacking', current: done, total }),
  );
}

/**
 * Downloads the layers (LAYER_CONCURRENCY at once) and unpacks while downloading: whenever the run of
 * downloaded layers from the bottom grows, that prefix is handed to the snapshotter (which skips what is
 * unpacked and shares what is under way), so unpacking overlaps with the rest of the download.
 */
async function fetchAndUnpack(repo: Repo, manifest: ManifestDocument, layers: readonly ImageLayer[], ctx: PullContext): Promise<void> {
  const downloaded = new Array<boolean>(layers.length).fill(false);
  let prefix = 0;
  const unpacks: Promise<unknown>[] = [];
  const early = { store: ctx.store, unpacker: ctx.unpacker, ...(ctx.signal ? { signal: ctx.signal } : {}) };
  const fetching = mapConcurrent(manifest.layers, LAYER_CONCURRENCY, async (layer, i) => {
    await fetchLayer(repo, layer, ctx);
    downloaded[i] = true;
    let k = prefix;
    while (k < layers.length && downloaded[k]) k++;
    if (k > prefix && k < layers.length) {
      const unpack = unpackLayers(layers.slice(0, k), early);
      // Settled below, after the downloads: a failure before then (ENOSPC) must not count as unhandled.
      unpack.catch(() => undefined);
      unpacks.push(unpack);
    }
    prefix = k;
  });
  const [fetched] = await Promise.allSettled([fetching]);
  // Only now is the list of early unpacks complete; settle them all before deciding.
  const unpacked = await Promise.allSettled(unpacks);
  if (fetched?.status === 'rejected') throw fetched.reason;
  const failed = unpacked.find((r) => r.status === 'rejected');
  if (failed?.status === 'rejected') throw failed.reason;
  await unpackLayers(layers, ctx);
}

/** Pulls `ref` into the content store and the snapshotter; returns the image without names. */
export async function pullImage(ref: ImageReference, ctx: PullContext): Promise<PulledImage> {
  const repo: Repo = { registry: ref.registry, repository: ref.repository };
  const name = formatReference(ref);
  const { manifest, manifestDigest, topDigest } = await resolve(ref, ctx);
  const config = await fetchConfig(repo, manifest.config, ctx, name);
  checkPlatform(config, ctx.platform, name);
  const layers = layersOf(manifest, config, `image ${name}`);
  await fetchAndUnpack(repo, manifest, layers, ctx);
  const size = manifest.config.size + layers.reduce((sum, l) => sum + l.size, 0);
  const image: { -readonly [K in keyof PulledImage]: PulledImage[K] } = {
    id: manifest.config.digest,
    repoDigests: [`${repositoryName(ref)}@${topDigest}`],
    manifestDigest,
    os: config.os,
    architecture: config.architecture,
    size,
    layers,
    config: config.runtime,
  };
  if (config.variant !== undefined) image.variant = config.variant;
  if (config.created !== undefined) image.created = config.created;
  ctx.onProgress?.({ phase: 'done', digest: image.id, message: name });
  return image;
}
