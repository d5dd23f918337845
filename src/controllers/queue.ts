// A controller's work queue (client-go's workqueue): keys, not events, so a burst of changes to one
// object is one sync; a key being synced is never synced twice at once (a change meanwhile re-queues it
// once the sync ends); delayed adds keep only the earliest time; failures back off per key.
import type { Clock } from './clock.js';

const FAILURE_BASE_MS = 500;
const FAILURE_MAX_MS = 60_000;

export class WorkQueue<K> {
  private readonly pending = new Map<string, K>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Map<string, K>();
  private readonly delayed = new Map<string, { at: number; cancel: () => void }>();
  private readonly failures = new Map<string, number>();
  private wake: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly idOf: (key: K) => string,
    private readonly clock: Clock,
  ) {}

  add(key: K): void {
    if (this.stopped) return;
    const id = this.idOf(key);
    if (this.processing.has(id)) {
      this.dirty.set(id, key);
      return;
    }
    this.pending.set(id, key);
    this.wake?.();
  }

  /** Adds the key after ms, unless an earlier delayed add of it is already due sooner. */
  addAfter(key: K, ms: number): void {
    if (ms <= 0) return this.add(key);
    const id = this.idOf(key);
    const at = this.clock.now().getTime() + ms;
    const existing = this.delayed.get(id);
    if (existing && existing.at <= at) return;
    existing?.cancel();
    const cancel = this.clock.setTimer(() => {
      this.delayed.delete(id);
      this.add(key);
    }, ms);
    this.delayed.set(id, { at, cancel });
  }

  /** Re-adds a key whose sync failed, 0.5 s doubling up to 60 s per consecutive failure. */
  addRateLimited(key: K): void {
    const id = this.idOf(key);
    const n = this.failures.get(id) ?? 0;
    this.failures.set(id, n + 1);
    this.addAfter(key, Math.min(FAILURE_MAX_MS, FAILURE_BASE_MS * 2 ** n));
  }

  forget(key: K): void {
    this.failures.delete(this.idOf(key));
  }

  /** The next key to sync, waiting for one; undefined once stopped. */
  async next(): Promise<K | undefined> {
    for (;;) {
      if (this.stopped) return undefined;
      const first = this.pending.entries().next();
      if (!first.done) {
        const [id, key] = first.value;
        this.pending.delete(id);
        this.processing.add(id);
        return key;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  /** Ends a key's sync; a change that came in meanwhile queues it again. */
  done(key: K): void {
    const id = this.idOf(key);
    this.processing.delete(id);
    const again = this.dirty.get(id);
    if (again !== undefined) {
      this.dirty.delete(id);
      this.add(again);
    }
  }

  /** Nothing pending or being synced (delayed adds do not count). */
  isIdle(): boolean {
    return this.pending.size === 0 && this.processing.size === 0;
  }

  stop(): void {
    this.stopped = true;
    for (const d of this.delayed.values()) d.cancel();
    this.delayed.clear();
    this.wake?.();
  }
}
