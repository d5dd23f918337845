// Builds test images in memory: layer tars with tar-stream, compressed with node:zlib (gzip) or Debian's
// zstd binary, plus config, manifest and index documents, so tests know every digest they expect.
import { createCipheriv, createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { run } from '../../../src/host/exec.js';

export type Compression = 'gzip' | 'zstd' | 'none';

export type FileSpec =
  | { readonly path: string; readonly content: string | Buffer; readonly mode?: number }
  | { readonly path: string; readonly dir: true }
  | { readonly path: string; readonly symlink: string };

export interface Blob {
  readonly digest: string;
  readonly bytes: Buffer;
  readonly mediaType: string;
}

export interface BuiltLayer extends Blob {
  readonly diffId: string;
}

export interface BuiltImage {
  readonly config: Blob;
  readonly layers: readonly BuiltLayer[];
  readonly manifest: Blob;
  /** Every blob to push (config and layers). */
  readonly blobs: readonly Blob[];
}

export const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export async function tarOf(files: readonly FileSpec[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of p) chunks.push(chunk as Buffer);
  })();
  const mtime = new Date('2024-01-01T00:00:00Z');
  for (const f of files) {
    if ('dir' in f) p.entry({ name: f.path, type: 'directory', mode: 0o755, mtime });
    else if ('symlink' in f) p.entry({ name: f.path, type: 'symlink', linkname: f.symlink, mtime });
    else p.entry({ name: f.path, mode: f.mode ?? 0o644, mtime }, typeof f.content === 'string' ? Buffer.from(f.content) : f.content);
  }
  p.finalize();
  await collected;
  return Buffer.concat(chunks);
}

const LAYER_TYPES: Record<Compression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
};

export async function compress(tar: Buffer, c: Compression): Promise<Buffer> {
  if (c === 'gzip') return gzipSync(tar);
  if (c === 'none') return tar;
  // Debian's zstd binary; run() collects stdout as text, so through temp files.
  const dir = await mkdtemp(join(tmpdir(), 'peapod-zstd-'));
  try {
    await writeFile(join(dir, 'l.tar'), tar);
    await run('zstd', ['-q', '-3', join(dir, 'l.tar'), '-o', join(dir, 'l.tar.zst')]);
    return await readFile(join(dir, 'l.tar.zst'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function buildLayer(files: readonly FileSpec[], c: Compression = 'gzip', mediaType?: string): Promise<BuiltLayer> {
  const tar = await tarOf(files);
  const bytes = await compress(tar, c);
  return { digest: sha256(bytes), bytes, mediaType: mediaType ?? LAYER_TYPES[c], diffId: sha256(tar) };
}

export interface ImageOptions {
  readonly architecture?: string;
  readonly variant?: string;
  readonly os?: string;
  readonly cmd?: readonly string[];
  readonly env?: readonly string[];
  /** Docker schema 2 media types instead of OCI. */
  readonly docker?: boolean;
}

export function buildImage(layers: readonly BuiltLayer[], options: ImageOptions = {}): BuiltImage {
  const configDoc = {
    architecture: options.architecture ?? 'amd64',
    ...(options.variant ? { variant: options.variant } : {}),
    os: options.os ?? 'linux',
    created: '2024-01-01T00:00:00Z',
    config: { Cmd: options.cmd ?? ['/bin/sh'], Env: options.env ?? ['PATH=/usr/bin:/bin'], WorkingDir: '/', Labels: { test: 'peapod' } },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
  };
  const configBytes = Buffer.from(JSON.stringify(configDoc));
  const docker = options.docker === true;
  const config: Blob = {
    digest: sha256(configBytes),
    bytes: configBytes,
    mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json',
  };
  const manifestType = docker ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json';
  const manifestDoc = {
    schemaVersion: 2,
    mediaType: manifestType,
    config: { mediaType: config.mediaType, digest: config.digest, size: config.bytes.length },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.bytes.length })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifestDoc));
  const manifest: Blob = { digest: sha256(manifestBytes), bytes: manifestBytes, mediaType: manifestType };
  return { config, layers, manifest, blobs: [config, ...layers] };
}

export function buildIndex(entries: readonly { image: BuiltImage; platform: { os: string; architecture: string; variant?: string } }[]): Blob {
  const doc = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: entries.map((e) => ({
      mediaType: e.image.manifest.mediaType,
      digest: e.image.manifest.digest,
      size: e.image.manifest.bytes.length,
      platform: e.platform,
    })),
  };
  const bytes = Buffer.from(JSON.stringify(doc));
  return { digest: sha256(bytes), bytes, mediaType: doc.mediaType };
}

/** Incompressible bytes: an AES-CTR keystream from a seed, so runs are reproducible and fast. */
export function pseudoRandom(size: number, seed: string): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}
