// A directory of JSON records, one file per ID, cached in memory. Like containerd's UpdateSync:
// an update is applied to a copy, written atomically, and only then swapped into the cache,
// so memory never holds what disk does not. Updates of one record that arrive while a write of it is
// under way share the next write (group commit): each is applied in order to the newest record, and
// each resolves once that write is durable.
import { mkdir, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { faultPoint } from '../common/fault.js';
import { PeapodError } from '../common/errors.js';
import { readJsonIfExists, removeDurably, writeJsonAtomic } from './atomic.js';

/** A record is never written without fsyncing its data: a torn record would be a lost one. */
export interface RecordWriteOptions {
  readonly sync?: 'full' | 'data';
}

const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** An update waiting for the write that will carry it. */
interface QueuedUpdate<T> {
  readonly fn: (current: T) => T;
  readonly sync: 'full' | 'data' | undefined;
  readonly resolve: (record: T) => void;
  readonly reject: (err: unknown) => void;
}

export class RecordStore<T extends { readonly id: string }> {
  private readonly cache = new Map<string, T>();
  /** Per record being written: the updates that arrived since, for its next write. */
  private readonly queued = new Map<string, QueuedUpdate<T>[]>();
  private loaded = false;

  constructor(
    private readonly dir: string,
    private readonly isRecord: (value: unknown) => value is T,
  ) {}

  private fileOf(id: string): string {
    // Keys become file names: only ever our own shapes, never a path.
    if (!SAFE_KEY.test(id)) throw new PeapodError('InvalidArgument', `invalid record id ${JSON.stringify(id)}`);
    return join(this.dir, `${id}.json`);
  }

  /** Loads every record from disk once; a corrupt file is reported, not fatal. */
  async load(onCorrupt: (file: string, err: unknown) => void = () => undefined): Promise<void> {
    if (this.loaded) return;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      try {
        const value = await readJsonIfExists(join(this.dir, name));
        if (this.isRecord(value)) this.cache.set(value.id, value);
        else onCorrupt(name, new Error('not a valid record'));
      } catch (err) {
        onCorrupt(name, err);
      }
    }
    this.loaded = true;
  }

  get(id: string): T | undefined {
    return this.cache.get(id);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  /**
   * Writes the record, fully durable unless `sync: 'data'` says the update only notes what a reboot
   * makes moot (a status, an event); a record's first write is always fully durable.
   */
  async put(record: T, options: RecordWriteOptions = {}): Promise<T> {
    faultPoint(`records.${basename(this.dir)}.put.before`);
    await writeJsonAtomic(this.fileOf(record.id), record, 0o600, this.cache.has(record.id) ? options : {});
    faultPoint(`records.${basename(this.dir)}.put.after`);
    this.cache.set(record.id, record);
    return record;
  }

  /**
   * Applies fn to the current record and persists the result, which it resolves to; NotFound when
   * absent. Updates of one record are serialised, so concurrent read-modify-writes never lose each
   * other's changes, and those that queue behind a write go to disk together in the next one (with the
   * strongest sync any of them asked for). With nothing queued, fn runs before update() returns.
   */
  update(id: string, fn: (current: T) => T, options: RecordWriteOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: QueuedUpdate<T> = { fn, sync: options.sync, resolve, reject };
      const waiting = this.queued.get(id);
      if (waiting) waiting.push(entry);
      else void this.writeQueued(id, [entry]);
    });
  }

  /** Writes `batch`, then whatever queued meanwhile, until nothing is left for this record. */
  private async writeQueued(id: string, first: QueuedUpdate<T>[]): Promise<void> {
    let batch = first;
    try {
      while (batch.length > 0) {
        this.queued.set(id, []);
        await this.writeBatch(id, batch);
        batch = this.queued.get(id) ?? [];
      }
    } catch (err) {
      // writeBatch answers every caller itself; should it ever throw, nobody is left waiting.
      for (const entry of [...batch, ...(this.queued.get(id) ?? [])]) entry.reject(err);
    } finally {
      this.queued.delete(id);
    }
  }

  /** One write for every update of the batch that applied; a throwing fn fails its caller alone. */
  private async writeBatch(id: string, batch: readonly QueuedUpdate<T>[]): Promise<void> {
    let current = this.cache.get(id);
    const applied: { entry: QueuedUpdate<T>; result: T }[] = [];
    for (const entry of batch) {
      if (!current) {
        entry.reject(new PeapodError('NotFound', `record ${id} not found`));
        continue;
      }
      try {
        const next = entry.fn(current);
        if (typeof next !== 'object' || next === null) throw new TypeError(`an update of record ${id} returned no record`);
        current = next;
        applied.push({ entry, result: next });
      } catch (err) {
        entry.reject(err);
      }
    }
    if (current === undefined || applied.length === 0) return;
    const sync = applied.every(({ entry }) => entry.sync === 'data') ? 'data' : 'full';
    try {
      await this.put(current, { sync });
    } catch (err) {
      for (const { entry } of applied) entry.reject(err);
      return;
    }
    for (const { entry, result } of applied) entry.resolve(result);
  }

  async delete(id: string): Promise<void> {
    faultPoint(`records.${basename(this.dir)}.delete.before`);
    await removeDurably(this.fileOf(id));
    faultPoint(`records.${basename(this.dir)}.delete.after`);
    this.cache.delete(id);
  }
}

/** Serialises async operations per key (one sandbox or container is never changed by two at once). */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<R>(key: string, fn: () => Promise<R>): Promise<R> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await next;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
