// In-process coordination for the image service: a keyed single-flight (two pulls of the same blob or
// image share one download, as containerd's ingest locks and its CRI's per-image pull lock do) and a mutex
// that serialises read-modify-write of the records and the name index.

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || (err as NodeJS.ErrnoException).code === 'ABORT_ERR');
}

export class SingleFlight<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  /**
   * Runs fn for the key unless a run for it is already under way, whose result is then shared. A shared
   * run that was aborted by *its* caller is started again for a waiter whose own signal is still live.
   */
  async run(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = this.inflight.get(key);
      if (existing === undefined) return this.start(key, fn);
      try {
        return await existing;
      } catch (err) {
        if (!isAbort(err) || signal?.aborted === true) throw err;
      }
    }
    return this.start(key, fn);
  }

  private start(key: string, fn: () => Promise<T>): Promise<T> {
    const p = fn().finally(() => {
      if (this.inflight.get(key) === p) this.inflight.delete(key);
    });
    this.inflight.set(key, p);
    return p;
  }
}

export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async lock<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/**
 * Many holders in shared mode (pulls, loads, unpacks) or one in exclusive mode (garbage collection), so a
 * collection never deletes a blob that a pull has stored but not yet recorded.
 */
export class SharedLock {
  private readers = 0;
  private writer: Promise<void> | undefined;
  private drained: (() => void)[] = [];
  private readonly writers = new Mutex();

  async shared<T>(fn: () => Promise<T>): Promise<T> {
    while (this.writer !== undefined) await this.writer;
    this.readers++;
    try {
      return await fn();
    } finally {
      this.readers--;
      if (this.readers === 0) for (const wake of this.drained.splice(0)) wake();
    }
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.writers.lock(async () => {
      let release!: () => void;
      this.writer = new Promise<void>((resolve) => {
        release = resolve;
      });
      try {
        while (this.readers > 0) await new Promise<void>((resolve) => this.drained.push(resolve));
        return await fn();
      } finally {
        this.writer = undefined;
        release();
      }
    });
  }
}
