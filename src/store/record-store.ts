// A directory of JSON records, one file per ID, cached in memory. Like containerd's UpdateSync:
// an update is applied to a copy, written atomically, and only then swapped into the cache,
// so memory never holds what disk does not. Updates of one record that arrive while a write of it is
// under way share the next write (group commit): each is applied in order to the newest record, and
// each resolves once that write is durable. A record's puts, deletes and update writes take turns, in
// the order asked: an update written after a delete brought the record back (a CronJob's event landing
// as the user deleted it left `delete cronjob` waiting for an object that kept coming back).
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

/** The updates one writer carries, batch after batch, until none is left. */
interface UpdateQueue<T> {
  entries: QueuedUpdate<T>[];
}

export class RecordStore<T extends { readonly id: string }> {
  private readonly cache = new Map<string, T>();
  /** Per record, the queue that updates asked for now join (its writer's next batch). */
  private readonly queued = new Map<string, UpdateQueue<T>>();
  /**
   * Per record, the tail of its puts, deletes and update writes, which run one after the other: an update
   * written after a delete would bring the record back (on disk and here), and a delete under way while an
   * update writes would be undone by it.
   */
  private readonly turns = new Map<string, { tail: Promise<unknown>; pending: number }>();
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
  put(record: T, options: RecordWriteOptions = {}): Promise<T> {
    // Updates asked for after this put apply to what it writes: they start a queue of their own behind it.
    this.queued.delete(record.id);
    return this.inTurn(record.id, () => this.writeRecord(record, options));
  }

  /** One atomic write of the record, then the cache; the only place records reach disk. */
  protected async writeRecord(record: T, options: RecordWriteOptions): Promise<T> {
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
   * strongest sync any of them asked for). With no write or delete of the record under way, fn runs
   * before update() returns.
   */
  update(id: string, fn: (current: T) => T, options: RecordWriteOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: QueuedUpdate<T> = { fn, sync: options.sync, resolve, reject };
      const queue = this.queued.get(id);
      if (queue) queue.entries.push(entry);
      else {
        const fresh: UpdateQueue<T> = { entries: [entry] };
        this.queued.set(id, fresh);
        void this.inTurn(id, () => this.writeQueued(id, fresh));
      }
    });
  }

  /** Writes the queue's updates, then whatever joined it meanwhile, until nothing is left. */
  private async writeQueued(id: string, queue: UpdateQueue<T>): Promise<void> {
    let batch: QueuedUpdate<T>[] = [];
    try {
      while (queue.entries.length > 0) {
        batch = queue.entries;
        queue.entries = [];
        await this.writeBatch(id, batch);
      }
    } catch (err) {
      // writeBatch answers every caller itself; should it ever throw, nobody is left waiting.
      for (const entry of [...batch, ...queue.entries]) entry.reject(err);
    } finally {
      if (this.queued.get(id) === queue) this.queued.delete(id);
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
      await this.writeRecord(current, { sync });
    } catch (err) {
      for (const { entry } of applied) entry.reject(err);
      return;
    }
    for (const { entry, result } of applied) entry.resolve(result);
  }

  delete(id: string): Promise<void> {
    // Updates asked for before the delete are written first; those asked for after it find nothing.
    this.queued.delete(id);
    return this.inTurn(id, async () => {
      faultPoint(`records.${basename(this.dir)}.delete.before`);
      await removeDurably(this.fileOf(id));
      faultPoint(`records.${basename(this.dir)}.delete.after`);
      this.cache.delete(id);
    });
  }

  /** Runs op once the record's earlier operations are done; at once (synchronously up to its first await) when none is. */
  private inTurn<R>(id: string, op: () => Promise<R>): Promise<R> {
    // The turn is taken before op starts: whatever op does before its first await (an update's fn) already
    // finds the record busy, and a synchronous throw still gives the turn back.
    const existing = this.turns.get(id);
    const turn = existing ?? { tail: Promise.resolve(), pending: 0 };
    if (!existing) this.turns.set(id, turn);
    turn.pending++;
    const previous = turn.tail;
    let done = (): void => undefined;
    turn.tail = new Promise<void>((resolve) => (done = resolve));
    const run = async (): Promise<R> => {
      try {
        return await op();
      } finally {
        done();
        // Counted, not read off the tail's settling: the next operation asked for once this one is done
        // starts at once instead of waiting for a promise chain to catch up.
        if (--turn.pending === 0 && this.turns.get(id) === turn) this.turns.delete(id);
      }
    };
    return existing ? previous.then(run, run) : run();
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
