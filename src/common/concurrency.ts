// Bounded parallelism for work over many items (layers, pods to delete): a fixed number of workers pull
// the next item, so one slow item never holds back the others. And side-by-side steps that must all have
// settled before a failure is acted on (an undo must not race a step still under way).

/** Waits for every one of `steps`; then rejects with the first failure, in their order. */
export async function settleAll(steps: readonly Promise<unknown>[]): Promise<void> {
  for (const s of await Promise.allSettled(steps)) if (s.status === 'rejected') throw s.reason;
}

/** Runs fn over items with at most `limit` at once; rejects with the first error after the others settle. */
export async function mapConcurrent<I, O>(items: readonly I[], limit: number, fn: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const results = new Array<O>(items.length);
  let next = 0;
  let firstError: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && firstError === undefined) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as I, index);
      } catch (err) {
        firstError ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  if (firstError !== undefined) throw firstError.err;
  return results;
}

/** At most `limit` of the functions given to run() are under way at once; the others wait their turn, in order. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  /**
   * `signal`: aborted while still waiting, the call leaves the line and rejects with the signal's reason
   * without running fn; once fn has a slot, the signal is fn's business.
   */
  async run<R>(fn: () => Promise<R>, signal?: AbortSignal): Promise<R> {
    signal?.throwIfAborted();
    if (this.active >= this.limit) await this.turn(signal);
    else this.active++;
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next in line, so `active` never dips and lets a newcomer cut in.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  private turn(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.waiting.indexOf(go);
        if (at >= 0) this.waiting.splice(at, 1);
        const reason: unknown = signal?.reason;
        reject(reason instanceof Error ? reason : new Error('aborted while waiting for a slot', { cause: reason }));
      };
      const go = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiting.push(go);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
