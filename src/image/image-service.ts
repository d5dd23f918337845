// The image service behind ImageService (types.ts): pulls and loads into the shared content store and
// snapshotter, keeps records and names on disk, and removes what no image needs any more. Concurrency:
// pulls of one reference share one run; blobs are single-flighted by digest in the content store; garbage
// collection excludes pulls and loads (SharedLock); record and name writes are serialised (Mutex). Reads
// (find, list) are served from an in-memory copy of the records and names, which every write drops.
import { PeapodError } from '../common/errors.js';
import type { PeapodConfig } from '../common/config.js';
import { ContentStore } from './content-store.js';
import { collectGarbage, type SnapshotIndex } from './gc.js';
import { findImage } from './lookup.js';
import { hostPlatform, type Platform } from './platform.js';
import { pullImage, unpackLayers, type PulledImage, type Unpacker } from './pull.js';
import { ImageRecords, withNames, type NameIndex } from './records.js';
import { formatReference, parseReference, storedName } from './reference.js';
import { Authorizer } from './registry/auth.js';
import type { RegistryClient } from './registry/client.js';
import type { MirrorMap } from './registry/mirrors.js';
import { lookupCredentials } from './registry/credentials.js';
import { Mutex, SharedLock, SingleFlight } from './sync.js';
import type { ImageRecord, ImageService, PullOptions, PullPolicy, RootfsLayers } from './types.js';
import { compareStrings } from '../common/compare.js';

interface CachedRecords {
  readonly records: readonly ImageRecord[];
  readonly index: NameIndex;
}

export interface SnapshotterLike extends Unpacker, SnapshotIndex {
  dirOf(chainId: string): Promise<string | undefined>;
}

export interface ImageServiceDeps {
  readonly config: PeapodConfig;
  /** <root>/images */
  readonly imagesRoot: string;
  readonly snapshotter: SnapshotterLike;
  readonly chainIds: (diffIds: readonly string[]) => string[];
  readonly platform?: Platform;
  /** Registry mirrors (registry/mirrors.ts), for every pull: the CLI's, pods' and CRI's. */
  readonly mirrors?: MirrorMap;
}

export class LocalImageService implements ImageService {
  private readonly store: ContentStore;
  private readonly records: ImageRecords;
  private readonly authorizer: Authorizer;
  private readonly platform: Platform;
  private readonly pulls = new SingleFlight<ImageRecord>();
  private readonly unpacks = new SingleFlight<string[]>();
  private readonly meta = new Mutex();
  private readonly gcLock = new SharedLock();
  private usage: () => Promise<ReadonlySet<string>> = () => Promise.resolve(new Set());
  /** Records and names as last read from disk; dropped by every write to either. */
  private cached: Promise<CachedRecords> | undefined;

  constructor(private readonly deps: ImageServiceDeps) {
    this.store = new ContentStore(deps.imagesRoot);
    this.records = new ImageRecords(deps.imagesRoot);
    this.authorizer = new Authorizer((host) => lookupCredentials(host, deps.config.authFile));
    this.platform = deps.platform ?? hostPlatform();
  }

  setUsageProvider(provider: () => Promise<ReadonlySet<string>>): void {
    this.usage = provider;
  }

  async count(): Promise<number> {
    return (await this.records.ids()).length;
  }

  async list(): Promise<ImageRecord[]> {
    const all = [...(await this.snapshot()).records];
    return all.sort((a, b) => compareStrings(a.names[0] ?? `~${a.id}`, b.names[0] ?? `~${b.id}`));
  }

  async find(ref: string): Promise<ImageRecord | undefined> {
    const { records, index } = await this.snapshot();
    return findImage(records, index, ref)?.record;
  }

  /**
   * Every record and the name index, read from disk once per change: a container start looks its image
   * up several times (policy, pull, create), and each read would otherwise parse every record file. A
   * read in flight when a write ends is dropped with the cache, so no copy older than a write is kept.
   */
  private snapshot(): Promise<CachedRecords> {
    if (this.cached) return this.cached;
    const read = Promise.all([this.records.all(), this.records.names()]).then(([records, index]) => ({ records, index }));
    this.cached = read;
    read.catch(() => {
      if (this.cached === read) this.cached = undefined;
    });
    return read;
  }

  /** Record and name writes: serialised, and the cached copy is dropped once they end, failed or not. */
  private writing<R>(fn: () => Promise<R>): Promise<R> {
    return this.meta.lock(async () => {
      try {
        return await fn();
      } finally {
        this.cached = undefined;
      }
    });
  }

  /** The registry client, its module loaded at the first pull (as load's below): the daemon of a node whose images are in place carries neither. */
  private async clientFor(options: PullOptions): Promise<RegistryClient> {
    const { RegistryClient } = await import('./registry/client.js');
    const authorizer = options.auth ? new Authorizer(() => Promise.resolve(options.auth)) : this.authorizer;
    return new RegistryClient({
      authorizer,
      insecureRegistries: [...this.deps.config.insecureRegistries, ...(options.insecureRegistries ?? [])],
      ...(this.deps.mirrors ? { mirrors: this.deps.mirrors } : {}),
    });
  }

  /** The snapshotter behind a per-image single flight, so two pulls never unpack one chain at once. */
  private unpacker(): Unpacker {
    return {
      ensure: (layers, signal, onProgress) =>
        this.unpacks.run(layers.map((l) => l.diffId).join(','), () => this.deps.snapshotter.ensure(layers, signal, onProgress), signal),
    };
  }

  async pull(ref: string, options: PullOptions = {}): Promise<ImageRecord> {
    const parsed = parseReference(ref);
    return this.pulls.run(
      formatReference(parsed),
      () =>
        this.gcLock.shared(async () => {
          const pulled = await pullImage(parsed, {
            store: this.store,
            client: await this.clientFor(options),
            unpacker: this.unpacker(),
            platform: this.platform,
            ...(options.signal ? { signal: options.signal } : {}),
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          });
          return this.commit(pulled, [storedName(parsed)]);
        }),
      options.signal,
    );
  }

  /** Stores the record (merging with an existing one) and points the names at it. */
  private commit(pulled: PulledImage, names: readonly string[]): Promise<ImageRecord> {
    return this.writing(async () => {
      const index = { ...(await this.records.names()) };
      const existing = await this.records.get(pulled.id, index);
      const repoDigests = [...new Set([...(existing?.repoDigests ?? []), ...pulled.repoDigests])];
      const record: ImageRecord = { ...pulled, repoDigests, names: [], storedAt: existing?.storedAt ?? new Date().toISOString() };
      await this.records.put(record);
      for (const name of names) index[name] = record.id;
      await this.records.writeNames(index);
      return withNames(record, index);
    });
  }

  async ensure(ref: string, policy: PullPolicy, options: PullOptions = {}): Promise<ImageRecord> {
    if (policy === 'Always') return this.pull(ref, options);
    const found = await this.find(ref);
    if (found) {
      // The record may outlive its unpacked layers (a snapshot removed by hand): make sure they are there.
      await this.rootfsLayers(found);
      return found;
    }
    if (policy === 'Never') {
      // The kubelet's ErrImageNeverPull message (pkg/kubelet/images/image_manager.go).
      throw new PeapodError('NotFound', `Container image "${ref}" is not present with pull policy of Never`, {
        hint: 'ErrImageNeverPull: load or pull the image first, or use imagePullPolicy IfNotPresent',
      });
    }
    return this.pull(ref, options);
  }

  async rootfsLayers(image: string | ImageRecord): Promise<RootfsLayers> {
    const record = typeof image === 'string' ? await this.find(image) : image;
    if (!record) throw new PeapodError('NotFound', `image "${typeof image === 'string' ? image : image.id}" not found`);
    const dirs = await this.gcLock.shared(() => unpackLayers(record.layers, { store: this.store, unpacker: this.unpacker() }));
    return { lowerDirs: [...dirs].reverse() };
  }

  async remove(ref: string, options: { force?: boolean } = {}): Promise<{ untagged: string[]; deleted: string[] }> {
    const inUse = await this.usage();
    const result = await this.gcLock.exclusive(() =>
      this.writing(async () => {
        const index = { ...(await this.records.names()) };
        const match = findImage(await this.records.all(), index, ref);
        if (!match) throw new PeapodError('NotFound', `image "${ref}" not found`, { hint: 'list local images with: peapod images' });
        const { record } = match;
        if (match.by === 'name' && record.names.length > 1) {
          delete index[match.name];
          await this.records.writeNames(index);
          return { untagged: [match.name], deleted: [] };
        }
        if (inUse.has(record.id) && options.force !== true) {
          throw new PeapodError('FailedPrecondition', `image "${ref}" (${record.id.slice(7, 19)}) is in use by a container`, {
            hint: 'remove the pod first, or pass --force to untag it (it is deleted once no container uses it)',
          });
        }
        for (const name of record.names) delete index[name];
        await this.records.writeNames(index);
        // docker rmi -f of an image in use untags it and keeps it, dangling, until prune finds it unused.
        if (inUse.has(record.id)) return { untagged: [...record.names], deleted: [] };
        await this.records.remove(record.id);
        return { untagged: [...record.names], deleted: [record.id] };
      }),
    );
    if (result.deleted.length > 0) await this.gc();
    return result;
  }

  private gc(): Promise<{ reclaimedBytes: number; snapshots: readonly string[] }> {
    return this.gcLock.exclusive(async () => collectGarbage(await this.records.all(), this.store, this.deps.snapshotter, this.deps.chainIds));
  }

  async collectContent(): Promise<{ reclaimedBytes: number; snapshots: number }> {
    const result = await this.gc();
    return { reclaimedBytes: result.reclaimedBytes, snapshots: result.snapshots.length };
  }

  async prune(options: { all?: boolean } = {}): Promise<{ deleted: string[]; reclaimedBytes: number }> {
    const inUse = await this.usage();
    const deleted = await this.gcLock.exclusive(() =>
      this.writing(async () => {
        const out: string[] = [];
        const index = { ...(await this.records.names()) };
        for (const record of await this.records.all()) {
          if (inUse.has(record.id) || (options.all !== true && record.names.length > 0)) continue;
          for (const name of record.names) delete index[name];
          await this.records.remove(record.id);
          out.push(record.id);
        }
        await this.records.writeNames(index);
        // No pull runs under the exclusive lock, so no partial download is being resumed.
        await this.store.clearIngest();
        return out;
      }),
    );
    const { reclaimedBytes } = await this.gc();
    return { deleted, reclaimedBytes };
  }

  async load(path: string, options: PullOptions = {}): Promise<ImageRecord[]> {
    const { loadArchive } = await import('./load.js');
    return this.gcLock.shared(async () => {
      const loaded = await loadArchive(path, {
        store: this.store,
        unpacker: this.unpacker(),
        platform: this.platform,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      const out: ImageRecord[] = [];
      for (const { image, names } of loaded) out.push(await this.commit(image, names));
      return out;
    });
  }
}
