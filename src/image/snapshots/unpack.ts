// One layer blob → one directory: read the blob, decompress (by its magic bytes, since docker-archive
// layers labelled gzip are often plain tar), hash the uncompressed stream (the diffId, OCI image-spec
// config.md rootfs.diff_ids), and write the entries with LayerWriter. The caller owns `dest` and
// removes it when this throws: a refused entry or a wrong diffId leaves nothing it would keep.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import type { Readable, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import * as tar from 'tar-stream';
import { isErrnoException, PeapodError } from '../../common/errors.js';
import { findProgram, spawnStdout } from '../../host/stream-exec.js';
import { digestHex } from '../digest.js';
import { layerCompression, sniffCompression } from '../media-types.js';
import type { Compression } from '../media-types.js';
import { LayerWriter } from './layer-writer.js';

export interface UnpackOptions {
  readonly blobPath: string;
  readonly mediaType: string;
  readonly expectedDiffId: string;
  /** An existing, empty directory. */
  readonly dest: string;
  readonly signal?: AbortSignal;
  /** 'binary' = Debian's zstd (another core, ~2x faster), 'js' = fzstd in-process; default: binary when on PATH. */
  readonly zstd?: 'binary' | 'js';
}

export interface UnpackResult {
  readonly diffId: string;
  /** Bytes of the uncompressed tar. */
  readonly size: number;
  readonly compression: Compression;
  readonly entries: number;
  readonly warnings: readonly string[];
}

/** Read size of the blob: large reads keep gunzip busy without many small syscalls. */
const READ_CHUNK_BYTES = 256 * 1024;
const ZLIB_CHUNK_BYTES = 64 * 1024;

export async function unpackLayer(options: UnpackOptions): Promise<UnpackResult> {
  digestHex(options.expectedDiffId, 'layer diffId');
  // An empty media type is a docker-archive layer that does not say; anything else must be a layer type.
  if (options.mediaType !== '') layerCompression(options.mediaType, `layer ${options.expectedDiffId}`);
  const compression = sniffCompression(await readHead(options.blobPath));
  const hasher = new HashingStream();
  const writer = new LayerWriter(options.dest);
  const extract = tar.extract();
  // Every stage is in the pipeline, so a failure anywhere closes the blob's fd and kills a zstd child.
  const stages = await decompressionStages(options.blobPath, compression, options);
  const piping = pipeline([...stages, hasher, extract], options.signal === undefined ? {} : { signal: options.signal });
  // A failing write (ENOSPC) ends the loop below, whose iterator destroys `extract` and makes the pipeline
  // reject before the catch awaits it: mark it handled now, or that rejection takes the daemon down.
  piping.catch(() => undefined);
  try {
    for await (const entry of extract) {
      options.signal?.throwIfAborted();
      await writer.apply(entry.header, entry);
    }
    await piping;
  } catch (err) {
    extract.destroy();
    await piping.catch(() => undefined);
    throw wrap(err, options);
  }
  const diffId = `sha256:${hasher.hex()}`;
  if (diffId !== options.expectedDiffId) {
    throw new PeapodError('DataLoss', `layer blob ${options.blobPath}: uncompressed content has digest ${diffId}, expected diffId ${options.expectedDiffId}`, {
      hint: 'the blob does not belong to this image config (corrupt download or mismatched archive); pull the image again',
    });
  }
  try {
    await writer.finish(options.signal);
  } catch (err) {
    throw wrap(err, options);
  }
  return { diffId, size: hasher.bytes, compression, entries: writer.entries, warnings: writer.warnings };
}

async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function decompressionStages(path: string, compression: Compression, options: UnpackOptions): Promise<Array<Readable | Transform>> {
  const file = (): Readable => createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  if (compression === 'none') return [file()];
  if (compression === 'gzip') return [file(), createGunzip({ chunkSize: ZLIB_CHUNK_BYTES })];
  const binary = options.zstd === 'js' ? undefined : await findProgram('zstd');
  if (binary !== undefined) {
    return [spawnStdout(binary, ['-d', '-c', '-q', '--', path], options.signal === undefined ? {} : { signal: options.signal })];
  }
  if (options.zstd === 'binary') throw new PeapodError('FailedPrecondition', 'zstd: not found', { hint: 'apt-get install zstd' });
  return [file(), new ZstdStream()];
}

/** Errors from the tar parser or a decompressor say which layer they are about. */
function wrap(err: unknown, options: UnpackOptions): unknown {
  if (err instanceof PeapodError) {
    if (err.message.includes(options.expectedDiffId)) return err;
    return new PeapodError(
      err.code,
      `layer ${options.expectedDiffId}: ${err.message}`,
      err.hint === undefined ? { cause: err } : { hint: err.hint, cause: err },
    );
  }
  if (err instanceof Error && err.name === 'AbortError') return err;
  if (isErrnoException(err)) {
    const full = err.code === 'ENOSPC' || err.code === 'EDQUOT';
    return new PeapodError(full ? 'ResourceExhausted' : 'Internal', `layer ${options.expectedDiffId}: writing the snapshot failed: ${err.message}`, {
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new PeapodError('DataLoss', `layer ${options.expectedDiffId} (${options.blobPath}): unreadable archive: ${message}`, { cause: err });
}

/** sha256 and length of everything that passes through. */
class HashingStream extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  hex(): string {
    return this.hash.digest('hex');
  }
}

/** fzstd's streaming decoder as a Transform, for hosts without the zstd program. */
class ZstdStream extends Transform {
  private readonly decoder = new Decompress((data) => {
    this.push(Buffer.from(data));
  });

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.decoder.push(chunk);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
}
