// Test support: layer blobs built in memory with tar-stream (including hostile ones no real tool would
// write), stored as files the way the content store keeps them.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { MT } from '../media-types.js';
import type { LayerToUnpack } from './snapshotter.js';

export interface TarEntry {
  readonly name: string;
  readonly type?: 'file' | 'link' | 'symlink' | 'directory' | 'block-device' | 'character-device' | 'fifo';
  readonly content?: string | Uint8Array;
  readonly linkname?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly mtime?: Date;
  readonly devmajor?: number;
  readonly devminor?: number;
  readonly pax?: Readonly<Record<string, string>>;
}

/** A fixed mtime so tests can compare times exactly. */
export const FIXTURE_MTIME = new Date('2020-01-02T03:04:05Z');

export async function buildTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    const { content, ...rest } = e;
    const header = { mtime: FIXTURE_MTIME, ...rest };
    // Always with a buffer: an entry given none is a stream tar-stream waits on forever.
    pack.entry(header, content === undefined ? Buffer.alloc(0) : typeof content === 'string' ? Buffer.from(content) : content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Writes a layer blob into `dir` and returns what Snapshotter.ensure needs, with the true diffId. */
export async function writeLayer(dir: string, entries: readonly TarEntry[], compression: 'none' | 'gzip' = 'gzip'): Promise<LayerToUnpack> {
  const tarBytes = await buildTar(entries);
  const blob = compression === 'gzip' ? gzipSync(tarBytes) : tarBytes;
  const blobPath = join(dir, `blob-${sha256(blob).slice(7, 19)}`);
  await writeFile(blobPath, blob);
  return { diffId: sha256(tarBytes), blobPath, mediaType: compression === 'gzip' ? MT.ociLayerGzip : MT.ociLayer };
}
