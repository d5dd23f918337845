// The files of an image archive, whatever its form: an OCI layout directory, or a tar (OCI layout or
// docker-archive, optionally gzip-compressed). A tar is read once, front to back, streaming every regular
// file into the content store while hashing it; later look-ups by path then go to the store.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { PeapodError, isErrnoException, asError } from '../common/errors.js';
import type { ContentStore, Expected } from './content-store.js';
import { dataLoss } from './content-store.js';
import { sniffCompression } from './media-types.js';

export interface Archive {
  /** Whether the archive has a file at this path (relative, "/"-separated). */
  has(path: string): boolean;
  /** Small file contents (index.json, manifest.json, configs). */
  read(path: string, expected?: Expected): Promise<Buffer>;
  /** Makes sure the file is in the content store, checked against `expected` when given. */
  store(path: string, expected?: Expected, signal?: AbortSignal): Promise<Expected>;
}

/** Files larger than this are not read into memory as JSON. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;
/** Symlink hops followed inside a tar (docker save links identical layers). */
const MAX_LINK_HOPS = 8;

function cleanPath(name: string): string {
  return posix.normalize(name.replace(/^(\.\/)+/, '').replace(/^\/+/, ''));
}

class DirArchive implements Archive {
  constructor(
    private readonly root: string,
    private readonly blobs: ContentStore,
    private readonly present: ReadonlySet<string>,
  ) {}

  has(path: string): boolean {
    return this.present.has(cleanPath(path));
  }

  async read(path: string, expected?: Expected): Promise<Buffer> {
    const file = join(this.root, cleanPath(path));
    const size = (await stat(file)).size;
    if (size > MAX_JSON_BYTES) throw new PeapodError('InvalidArgument', `${file}: ${size} bytes is too large for a JSON document`);
    const handle = await open(file, 'r');
    try {
      const data = await handle.readFile();
      if (expected) await this.blobs.putBuffer(data, expected, file);
      return data;
    } finally {
      await handle.close();
    }
  }

  async store(path: string, expected?: Expected, signal?: AbortSignal): Promise<Expected> {
    const file = join(this.root, cleanPath(path));
    if (expected === undefined) return this.blobs.ingestStream(createReadStream(file) as AsyncIterable<Buffer>, signal);
    await this.blobs.ingest(
      expected,
      { open: (offset) => Promise.resolve({ body: createReadStream(file, { start: offset }) as AsyncIterable<Buffer>, offset }) },
      signal ? { signal } : {},
    );
    return expected;
  }
}

class TarArchive implements Archive {
  constructor(
    private readonly files: ReadonlyMap<string, Expected>,
    private readonly links: ReadonlyMap<string, string>,
    private readonly blobs: ContentStore,
    private readonly source: string,
  ) {}

  private resolve(path: string): Expected | undefined {
    let current = cleanPath(path);
    for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
      const file = this.files.get(current);
      if (file) return file;
      const target = this.links.get(current);
      if (target === undefined) return undefined;
      current = cleanPath(target.startsWith('/') ? target : posix.join(posix.dirname(current), target));
    }
    return undefined;
  }

  has(path: string): boolean {
    return this.resolve(path) !== undefined;
  }

  store(path: string, expected?: Expected): Promise<Expected> {
    const found = this.resolve(path);
    if (!found) return Promise.reject(new PeapodError('DataLoss', `${this.source}: no file "${path}" in the archive`));
    if (expected && found.digest !== expected.digest) return Promise.reject(dataLoss(`${this.source}: ${path}`, expected.digest, found.digest));
    if (expected && found.size !== expected.size) {
      return Promise.reject(new PeapodError('DataLoss', `${this.source}: ${path}: size mismatch: expected ${expected.size} bytes, got ${found.size}`));
    }
    return Promise.resolve(found);
  }

  async read(path: string, expected?: Expected): Promise<Buffer> {
    const found = await this.store(path, expected);
    if (found.size > MAX_JSON_BYTES) throw new PeapodError('InvalidArgument', `${this.source}: ${path} is too large for a JSON document`);
    return this.blobs.read(found.digest);
  }
}

async function sniffFile(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function scanTar(path: string, blobs: ContentStore, signal?: AbortSignal): Promise<TarArchive> {
  const files = new Map<string, Expected>();
  const links = new Map<string, string>();
  const ex = extract();
  const compressed = sniffCompression(await sniffFile(path)) === 'gzip';
  const feeding = compressed
    ? pipeline(createReadStream(path), createGunzip(), ex, signal ? { signal } : {})
    : pipeline(createReadStream(path), ex, signal ? { signal } : {});
  const reading = (async () => {
    for await (const entry of ex) {
      const name = cleanPath(entry.header.name);
      const type = entry.header.type ?? 'file';
      if (type === 'file' || type === 'contiguous-file') {
        const stored = await blobs.ingestStream(entry as AsyncIterable<Buffer>, signal);
        const named = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
        if (named && stored.digest !== `sha256:${named[1] ?? ''}`) throw dataLoss(`${path}: ${name}`, `sha256:${named[1] ?? ''}`, stored.digest);
        files.set(name, stored);
        continue;
      }
      if ((type === 'symlink' || type === 'link') && entry.header.linkname) {
        // A hard link's target is relative to the archive root, a symlink's to its own directory.
        links.set(name, type === 'link' ? `/${entry.header.linkname}` : entry.header.linkname);
      }
      entry.resume();
    }
  })().catch((err: unknown) => {
    // Stop the feeding side too, or it waits forever for an entry nobody reads.
    ex.destroy(asError(err));
    throw err;
  });
  const [fed, read] = await Promise.allSettled([feeding, reading]);
  if (read.status === 'rejected') throw read.reason;
  if (fed.status === 'rejected') throw fed.reason;
  return new TarArchive(files, links, blobs, path);
}

/** Opens an archive: a directory (OCI layout) or a tar file. */
export async function openArchive(path: string, blobs: ContentStore, signal?: AbortSignal): Promise<Archive> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) throw new PeapodError('NotFound', `${path}: no such file or directory`);
    throw err;
  }
  if (info.isDirectory()) {
    const present = new Set<string>();
    for (const f of ['oci-layout', 'index.json', 'manifest.json']) {
      if (
        await stat(join(path, f)).then(
          () => true,
          () => false,
        )
      )
        present.add(f);
    }
    return new DirArchive(path, blobs, present);
  }
  try {
    return await scanTar(path, blobs, signal);
  } catch (err) {
    if (err instanceof PeapodError || signal?.aborted) throw err;
    throw new PeapodError('InvalidArgument', `${path}: not a readable tar archive: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
