// Unpacked layers, keyed by ChainID like containerd's overlay snapshotter: <root>/<chainId hex>/fs is
// one layer's own diff in overlayfs form, usable directly as a lowerdir and shared by every image whose
// layer chain starts the same. Crash safety follows pnpm's importIndexedDir: unpack into
// <root>/.staging-<pid>.<start time>.<instance>-<random>, write the completion marker last, rename into
// place. A directory without its marker, a half-removed directory or a staging directory no live unpack
// owns is garbage, swept by the next ensure() or list(). One process (one daemon) owns a root: the
// in-process locks are the only coordination; the owner in a staging dir's name keeps a second
// snapshotter on the same root (a test's) from sweeping a live unpack.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { readdir, stat } from '../../common/quick-fs.js';
import { join } from 'node:path';
import { PeapodError, errorCode, errorMessage, isErrnoException } from '../../common/errors.js';
import { syncFilesystem } from '../../host/layer-fs.js';
import { isAlive, processStartTime } from '../../host/proc.js';
import { atomicWriteFile, fsyncDir } from '../../store/atomic.js';
import { digestHex, sha256Digest } from '../digest.js';

export interface LayerToUnpack {
  readonly diffId: string;
  readonly blobPath: string;
  readonly mediaType: string;
}

/** Written last into a snapshot: its presence means the directory is complete. */
export const COMPLETION_MARKER = 'snapshot.json';
const STAGING_PREFIX = '.staging-';
/** The owner (`<pid>.<start time>.<instance>`), its pid and start time, of a staging dir's name. */
const STAGING_OWNER = /^\.staging-((\d+)\.(\d+)\.[0-9a-f]+)-[0-9a-f]+$/;
const REMOVING_PREFIX = '.removing-';
const SNAPSHOT_DIR_RE = /^[0-9a-f]{64}$/;
/** Layers unpacked at once: each is one decompressor and one writer, and the host has two cores. */
export const UNPACK_CONCURRENCY = 2;
/** A shared unpack that failed only because its first caller gave up is retried this often. */
const SHARED_RETRIES = 3;

export interface SnapshotMarker {
  readonly chainId: string;
  readonly diffId: string;
  readonly mediaType: string;
  readonly compression: string;
  readonly size: number;
  readonly entries: number;
  readonly warnings: readonly string[];
  readonly unpackedAt: string;
}

/** OCI image-spec config.md "Layer ChainID": ChainID(L0) = DiffID(L0), ChainID(L0..n) = sha256(ChainID(L0..n-1) + " " + DiffID(Ln)). */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const [i, diffId] of diffIds.entries()) {
    digestHex(diffId, `diffId of layer ${i}`);
    const parent = out[i - 1];
    out.push(parent === undefined ? diffId : sha256Digest(`${parent} ${diffId}`));
  }
  return out;
}

export class Snapshotter {
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly activeStaging = new Set<string>();

  /**
   * Staging dirs are named `.staging-<pid>.<start time>.<instance>-<random>`: a sweep knows whose each one
   * is, and a daemon restarted under the same PID (PID 1 of a container) is not its predecessor.
   */
  private owner: Promise<string> | undefined;

  constructor(private readonly root: string) {}

  /** Unpacks the layers not yet unpacked (bottom-first order given) and returns their dirs bottom-first. */
  async ensure(layers: readonly LayerToUnpack[], signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<string[]> {
    const ids = chainIds(layers.map((l) => l.diffId));
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await this.sweep();
    const dirs: string[] = new Array<string>(layers.length).fill('');
    let done = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < layers.length; i = next++) {
        signal?.throwIfAborted();
        dirs[i] = await this.ensureOne(ids[i] ?? '', layers[i] as LayerToUnpack, signal);
        onProgress?.(++done, layers.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(UNPACK_CONCURRENCY, layers.length) }, worker));
    return dirs;
  }

  /** Directory of an unpacked chain, undefined when absent. */
  async dirOf(chainId: string): Promise<string | undefined> {
    const dir = join(this.root, digestHex(chainId, 'chainId'));
    try {
      await stat(join(dir, COMPLETION_MARKER));
      return join(dir, 'fs');
    } catch (err) {
      if (isErrnoException(err, 'ENOENT') || isErrnoException(err, 'ENOTDIR')) return undefined;
      throw err;
    }
  }

  /** Removes a snapshot; removing one that is absent succeeds. Callers make sure no container uses it. */
  async remove(chainId: string): Promise<void> {
    const hex = digestHex(chainId, 'chainId');
    await this.inflight.get(chainId)?.catch(() => undefined);
    // Renamed away first, so a crash mid-removal never leaves a complete-looking, partly deleted layer.
    const doomed = join(this.root, `${REMOVING_PREFIX}${hex}-${randomBytes(4).toString('hex')}`);
    try {
      await rename(join(this.root, hex), doomed);
    } catch (err) {
      if (isErrnoException(err, 'ENOENT')) return;
      throw err;
    }
    await fsyncDir(this.root);
    await rm(doomed, { recursive: true, force: true });
  }

  /** ChainIDs of the complete snapshots. */
  async list(): Promise<string[]> {
    await this.sweep();
    const out: string[] = [];
    for (const name of await this.names()) {
      if (SNAPSHOT_DIR_RE.test(name) && (await this.dirOf(`sha256:${name}`)) !== undefined) out.push(`sha256:${name}`);
    }
    return out.sort();
  }

  private async names(): Promise<string[]> {
    try {
      return await readdir(this.root);
    } catch (err) {
      if (isErrnoException(err, 'ENOENT')) return [];
      throw err;
    }
  }

  /** Removes what a crash left: staging dirs no live unpack owns, half-removed dirs, snapshots without marker. */
  private async sweep(): Promise<void> {
    for (const name of await this.names()) {
      const leftover =
        (name.startsWith(STAGING_PREFIX) && (await this.abandoned(name))) ||
        name.startsWith(REMOVING_PREFIX) ||
        (SNAPSHOT_DIR_RE.test(name) && !this.inflight.has(`sha256:${name}`) && (await this.dirOf(`sha256:${name}`)) === undefined);
      if (leftover) await rm(join(this.root, name), { recursive: true, force: true });
    }
  }

  /**
   * Whether a staging dir is no live unpack's: ours and not in use, or made by a process that is gone (a
   * crashed daemon), or unnamed (an older version's). Another snapshotter on the same root in a live
   * process (as a test makes one) may be unpacking into it.
   */
  private async abandoned(name: string): Promise<boolean> {
    const owner = STAGING_OWNER.exec(name);
    if (owner === null) return true;
    if (owner[1] === (await this.ownerName())) return !this.activeStaging.has(name);
    return !(await isAlive(Number(owner[2]), Number(owner[3])));
  }

  private ownerName(): Promise<string> {
    this.owner ??= processStartTime(process.pid).then((start) => `${process.pid}.${start ?? 0}.${randomBytes(4).toString('hex')}`);
    return this.owner;
  }

  /** Per-chain lock: concurrent callers share one unpack; a caller whose own signal is live retries one that was aborted. */
  private async ensureOne(chainId: string, layer: LayerToUnpack, signal: AbortSignal | undefined): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      let shared = this.inflight.get(chainId);
      if (shared === undefined) {
        shared = this.unpackOnce(chainId, layer, signal);
        this.inflight.set(chainId, shared);
        const forget = (): void => {
          if (this.inflight.get(chainId) === shared) this.inflight.delete(chainId);
        };
        shared.then(forget, forget);
        return shared;
      }
      try {
        return await shared;
      } catch (err) {
        const abortedByFirstCaller = err instanceof Error && err.name === 'AbortError' && signal?.aborted !== true;
        if (!abortedByFirstCaller || attempt >= SHARED_RETRIES) throw err;
      }
    }
  }

  private async unpackOnce(chainId: string, layer: LayerToUnpack, signal: AbortSignal | undefined): Promise<string> {
    const existing = await this.dirOf(chainId);
    if (existing !== undefined) return existing;
    const hex = digestHex(chainId, 'chainId');
    const name = `${STAGING_PREFIX}${await this.ownerName()}-${randomBytes(8).toString('hex')}`;
    const staging = join(this.root, name);
    this.activeStaging.add(name);
    try {
      await mkdir(join(staging, 'fs'), { recursive: true, mode: 0o755 });
      // Loaded at the first unpack (tar-stream, fzstd, the layer writer): a daemon whose images are all
      // unpacked never needs them, and they would stay resident.
      const { unpackLayer } = await import('./unpack.js');
      const result = await unpackLayer({
        blobPath: layer.blobPath,
        mediaType: layer.mediaType,
        expectedDiffId: layer.diffId,
        dest: join(staging, 'fs'),
        ...(signal === undefined ? {} : { signal }),
      });
      // Data reaches the disk before the marker says the directory is complete.
      await syncFilesystem(staging, signal === undefined ? {} : { signal });
      const marker: SnapshotMarker = {
        chainId,
        diffId: result.diffId,
        mediaType: layer.mediaType,
        compression: result.compression,
        size: result.size,
        entries: result.entries,
        warnings: result.warnings,
        unpackedAt: new Date().toISOString(),
      };
      await atomicWriteFile(join(staging, COMPLETION_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
      return await this.commit(staging, hex, chainId);
    } catch (err) {
      // The staging dir goes below, so the disk is as before: say which filesystem needs the space.
      const full = errorCode(err) === 'ResourceExhausted' || isErrnoException(err, 'ENOSPC') || isErrnoException(err, 'EDQUOT');
      if (!full) throw err;
      throw new PeapodError('ResourceExhausted', `${errorMessage(err)}; free space on the filesystem of ${this.root} and try again`, { cause: err });
    } finally {
      await rm(staging, { recursive: true, force: true });
      this.activeStaging.delete(name);
    }
  }

  private async commit(staging: string, hex: string, chainId: string): Promise<string> {
    try {
      await rename(staging, join(this.root, hex));
    } catch (err) {
      // Someone else completed the same chain first (rename onto a non-empty directory fails): theirs wins.
      const winner = await this.dirOf(chainId);
      if (winner !== undefined) return winner;
      throw err;
    }
    await fsyncDir(this.root);
    return join(this.root, hex, 'fs');
  }

  /** The completion marker of a snapshot, for `peapod` diagnostics and tests. */
  async marker(chainId: string): Promise<SnapshotMarker | undefined> {
    const dir = await this.dirOf(chainId);
    if (dir === undefined) return undefined;
    return JSON.parse(await readFile(join(dir, '..', COMPLETION_MARKER), 'utf8')) as SnapshotMarker;
  }
}
