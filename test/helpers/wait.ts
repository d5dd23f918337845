// Waiting for a condition in tests, bounded in time: never an unbounded loop, never a bare sleep.
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitForOptions {
  readonly timeoutMs: number;
  /** Pause between checks; default 50 ms. */
  readonly intervalMs?: number;
  /** What we wait for, for the failure message ("pod web to be Running"). */
  readonly description: string;
}

/** Resolves with the first truthy value of `predicate`; rejects naming `description` at the deadline. */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions): Promise<NonNullable<T>> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 50;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.description}${why}`);
    }
    await delay(Math.min(interval, Math.max(0, deadline - Date.now())));
  }
}
