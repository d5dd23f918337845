// A directory of JSON records, one file per ID, cached in memory. Like containerd's UpdateSync:
// an update is applied to a copy, written atomically, and only then swapped into the cache,
// so memory never holds what disk does not.
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

export class RecordStore<T extends { readonly id: string }> {
  private readonly cache = new Map<string, T>();
  private readonly locks = new KeyedMutex();
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
   * Applies fn to the current record and persists the result; NotFound when absent. Updates of one
   * record are serialised, so concurrent read-modify-writes never lose each other's changes.
   */
  async update(id: string, fn: (current: T) => T, options: RecordWriteOptions = {}): Promise<T> {
    return this.locks.run(id, async () => {
      const current = this.cache.get(id);
      if (!current) throw new PeapodError('NotFound', `record ${id} not found`);
      return this.put(fn(current), options);
    });
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
