// Content-addressed blob store shared by all images: <images>/blobs/sha256/<hex>. A blob enters only
// through ingest/, hashed and counted while it streams, and is renamed into place only when size and
// digest match (pnpm's writeBufferToCafs: temp file + rename, an existing blob is reused). So a file under
// blobs/ is always verified, and a crash leaves at most a partial file in ingest/, which the next pull
// resumes (an HTTP Range request, the kept bytes re-hashed first).
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, truncate } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import { PeapodError, isErrnoException } from '../common/errors.js';
import { atomicWriteFile, fsyncDir } from '../store/atomic.js';
import { digestHex, isDigest, sha256Digest } from './digest.js';
import { SingleFlight } from './sync.js';

export interface BlobSource {
  /**
   * Opens the blob's bytes starting at `offset`. Returns where the stream really starts: 0 when the
   * server ignored the Range request, which restarts the download.
   */
  open(offset: number, signal?: AbortSignal): Promise<{ readonly body: AsyncIterable<Uint8Array>; readonly offset: number }>;
}

export interface IngestOptions {
  readonly signal?: AbortSignal;
  /** Bytes verified so far and the expected total. */
  readonly onProgress?: (current: number, total: number) => void;
}

export interface Expected {
  readonly digest: string;
  readonly size: number;
}

/** Progress events are throttled to one per this many bytes. */
const PROGRESS_STEP_BYTES = 512 * 1024;

export function dataLoss(what: string, expected: string, actual: string): PeapodError {
  return new PeapodError('DataLoss', `${what}: digest mismatch: expected ${expected}, got ${actual}`, {
    hint: 'the registry or the network corrupted the blob; it was deleted and nothing was stored',
  });
}

export class ContentStore {
  private readonly blobDir: string;
  private readonly ingestDir: string;
  private readonly flights = new SingleFlight<string>();

  constructor(imagesRoot: string) {
    this.blobDir = join(imagesRoot, 'blobs', 'sha256');
    this.ingestDir = join(imagesRoot, 'ingest');
  }

  path(digest: string): string {
    return join(this.blobDir, digestHex(digest));
  }

  async has(digest: string): Promise<boolean> {
    try {
      return (await stat(this.path(digest))).isFile();
    } catch (err) {
      if (isErrnoException(err, 'ENOENT')) return false;
      throw err;
    }
  }

  async sizeOf(digest: string): Promise<number | undefined> {
    try {
      return (await stat(this.path(digest))).size;
    } catch (err) {
      if (isErrnoException(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  read(digest: string): Promise<Buffer> {
    return readFile(this.path(digest));
  }

  /** Stores bytes already in memory (manifests, configs) after checking them against `digest`. */
  async putBuffer(data: Uint8Array, expected?: Expected, what = 'blob'): Promise<string> {
    const actual = sha256Digest(data);
    if (expected !== undefined && actual !== expected.digest) throw dataLoss(what, expected.digest, actual);
    if (expected !== undefined && data.length !== expected.size) {
      throw new PeapodError('DataLoss', `${what}: size mismatch: expected ${expected.size} bytes, got ${data.length}`);
    }
    if (!(await this.has(actual))) await atomicWriteFile(this.path(actual), data, 0o644);
    return actual;
  }

  /** Downloads a blob into the store unless it is there; concurrent calls for one digest share the work. */
  async ingest(expected: Expected, source: BlobSource, options: IngestOptions = {}): Promise<{ path: string; downloaded: boolean }> {
    if (await this.has(expected.digest)) return { path: this.path(expected.digest), downloaded: false };
    let downloaded = false;
    const path = await this.flights.run(
      expected.digest,
      async () => {
        if (await this.has(expected.digest)) return this.path(expected.digest);
        downloaded = true;
        return this.download(expected, source, options);
      },
      options.signal,
    );
    return { path, downloaded };
  }

  private partialPath(digest: string): string {
    return join(this.ingestDir, `${digestHex(digest)}.partial`);
  }

  /** Re-hashes the kept bytes of an interrupted download; drops them if they cannot be a prefix. */
  private async resumeState(partial: string, expected: Expected): Promise<{ hash: Hash; offset: number }> {
    const hash = createHash('sha256');
    let size = 0;
    try {
      size = (await stat(partial)).size;
    } catch (err) {
      if (!isErrnoException(err, 'ENOENT')) throw err;
    }
    if (size === 0 || size >= expected.size) {
      await rm(partial, { force: true });
      return { hash, offset: 0 };
    }
    for await (const chunk of createReadStream(partial) as AsyncIterable<Buffer>) hash.update(chunk);
    return { hash, offset: size };
  }

  private async download(expected: Expected, source: BlobSource, options: IngestOptions): Promise<string> {
    await mkdir(this.ingestDir, { recursive: true });
    const partial = this.partialPath(expected.digest);
    let { hash, offset } = await this.resumeState(partial, expected);
    const opened = await source.open(offset, options.signal);
    if (opened.offset !== offset) {
      // The server sent the whole blob: start over.
      await truncate(partial, 0).catch((err: unknown) => {
        if (!isErrnoException(err, 'ENOENT')) throw err;
      });
      hash = createHash('sha256');
      offset = 0;
    }
    let written: number;
    try {
      written = await this.streamInto(partial, opened.body, hash, offset, expected, options);
    } catch (err) {
      throw await this.outOfSpace(err, partial, `blob ${expected.digest}`);
    }
    const actual = `sha256:${hash.digest('hex')}`;
    if (written !== expected.size || actual !== expected.digest) {
      await rm(partial, { force: true });
      if (written !== expected.size) {
        throw new PeapodError('DataLoss', `blob ${expected.digest}: size mismatch: expected ${expected.size} bytes, got ${written}`, {
          hint: 'the download was cut short or the registry sent a different blob; nothing was stored',
        });
      }
      throw dataLoss(`blob ${expected.digest}`, expected.digest, actual);
    }
    await mkdir(this.blobDir, { recursive: true });
    await rename(partial, this.path(expected.digest));
    await fsyncDir(this.blobDir);
    return this.path(expected.digest);
  }

  /**
   * A write that failed for want of space (ENOSPC, EDQUOT) drops its partial file: kept for a resume it
   * would only hold on to the space that is missing. Any other error is returned as it is.
   */
  private async outOfSpace(err: unknown, partial: string, what: string): Promise<unknown> {
    if (!isErrnoException(err, 'ENOSPC') && !isErrnoException(err, 'EDQUOT')) return err;
    await rm(partial, { force: true });
    return new PeapodError('ResourceExhausted', `${what}: ${err.message}; free space on the filesystem of ${this.ingestDir} and try again`, { cause: err });
  }

  /** Appends the stream to the partial file, hashing and counting; stops early past the expected size. */
  private async streamInto(
    partial: string,
    body: AsyncIterable<Uint8Array>,
    hash: Hash,
    offset: number,
    expected: Expected,
    options: IngestOptions,
  ): Promise<number> {
    const writer = await FileWriter.open(partial, offset === 0 ? 'w' : 'a');
    let written = offset;
    let reported = 0;
    try {
      for await (const chunk of body) {
        options.signal?.throwIfAborted();
        written += chunk.length;
        if (written > expected.size) {
          await writer.abandon();
          await rm(partial, { force: true });
          throw new PeapodError('DataLoss', `blob ${expected.digest}: more than the expected ${expected.size} bytes were sent`);
        }
        hash.update(chunk);
        await writer.write(chunk);
        if (written - reported >= PROGRESS_STEP_BYTES) {
          reported = written;
          options.onProgress?.(written, expected.size);
        }
      }
      await writer.finish();
    } catch (err) {
      // What reached the file stays for a resume; a later digest check catches any damage.
      await writer.abandon();
      throw err;
    }
    options.onProgress?.(written, expected.size);
    return written;
  }

  /** Stores a stream whose digest is not known in advance (docker-archive layers); returns what it hashed to. */
  async ingestStream(body: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<Expected> {
    await mkdir(this.ingestDir, { recursive: true });
    const tmp = join(this.ingestDir, `stream-${randomBytes(8).toString('hex')}.tmp`);
    const hash = createHash('sha256');
    let size = 0;
    const writer = await FileWriter.open(tmp, 'w');
    try {
      for await (const chunk of body) {
        signal?.throwIfAborted();
        hash.update(chunk);
        size += chunk.length;
        await writer.write(chunk);
      }
      await writer.finish();
    } catch (err) {
      await writer.abandon();
      await rm(tmp, { force: true });
      throw await this.outOfSpace(err, tmp, 'layer');
    }
    const digest = `sha256:${hash.digest('hex')}`;
    await mkdir(this.blobDir, { recursive: true });
    await rename(tmp, this.path(digest));
    await fsyncDir(this.blobDir);
    return { digest, size };
  }

  async list(): Promise<string[]> {
    try {
      return (await readdir(this.blobDir)).map((hex) => `sha256:${hex}`).filter(isDigest);
    } catch (err) {
      if (isErrnoException(err, 'ENOENT')) return [];
      throw err;
    }
  }

  /** Removes a blob; removing one that is gone succeeds. Returns the bytes freed. */
  async remove(digest: string): Promise<number> {
    const size = (await this.sizeOf(digest)) ?? 0;
    await rm(this.path(digest), { force: true });
    await rm(this.partialPath(digest), { force: true });
    return size;
  }

  /** Drops interrupted downloads that no pull is resuming (prune). */
  async clearIngest(): Promise<void> {
    await rm(this.ingestDir, { recursive: true, force: true });
  }
}

/** Bytes buffered before the writer applies backpressure: disk writes overlap with receiving. */
const WRITE_BUFFER_BYTES = 1024 * 1024;

/**
 * A buffered file writer: disk writes overlap with receiving, and `flush` fsyncs the file before it is
 * closed (Node ≥ 20.10), so a blob is on disk before its rename makes it visible.
 */
class FileWriter {
  private constructor(private readonly stream: WriteStream) {
    // A write fails after write() returned (ENOSPC): the error is kept in `errored` and thrown by the next
    // write or by finish. Without a listener the stream's 'error' event would take the daemon down.
    stream.on('error', () => undefined);
  }

  static async open(path: string, flags: 'w' | 'a'): Promise<FileWriter> {
    const stream = createWriteStream(path, { flags, mode: 0o644, highWaterMark: WRITE_BUFFER_BYTES, flush: true });
    await once(stream, 'open');
    return new FileWriter(stream);
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.stream.errored) throw this.stream.errored;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async finish(): Promise<void> {
    this.stream.end();
    await finished(this.stream);
  }

  /** Stops writing but keeps what was received (flushed, not discarded): a resume starts after it. */
  async abandon(): Promise<void> {
    if (!this.stream.destroyed) this.stream.end();
    await finished(this.stream).catch(() => this.stream.destroy());
  }
}
