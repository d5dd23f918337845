// Waiting for a condition in tests, bounded in time: never an unbounded loop, never a bare sleep.
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitForOptions {
  readonly timeoutMs: number;
  /** Pause between checks; default 50 ms. */
  readonly intervalMs?: number;
  /** What we wait for, for the failure message ("pod web to be Running"). */
  readonly description: string;
}

/**
 * Multiplier for test deadlines, from PEAPOD_TEST_TIME_SCALE (1 by default, at most 20): the emulated
 * cgroup v2 guest (scripts/test-v2.sh) runs everything 5–10× slower. Scales waiting only, never what is asserted.
 */
export function timeScale(): number {
  const value = Number(process.env['PEAPOD_TEST_TIME_SCALE'] ?? '1');
  return Number.isFinite(value) && value >= 1 ? Math.min(value, 20) : 1;
}

/** Resolves with the first truthy value of `predicate`; rejects naming `description` at the deadline. */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs * timeScale();
  const deadline = Date.now() + timeoutMs;
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
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.description}${why}`);
    }
    await delay(Math.min(interval, Math.max(0, deadline - Date.now())));
  }
}
