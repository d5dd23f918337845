// The delay before the Job controller creates a pod again after pods failed (pkg/controller/job backoff_utils.go):
// 10 s after the first failure since the last success, doubling per further failure, capped at
// MaxJobPodFailureBackOff (10 minutes in the controller's code; the "Jobs" docs page still says six). A success
// resets the count.

export const POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export interface BackoffRecord {
  readonly failuresAfterLastSuccess: number;
  /** When the last counted failure happened (epoch ms). */
  readonly lastFailureTime?: number;
}

export const NO_BACKOFF: BackoffRecord = { failuresAfterLastSuccess: 0 };

/**
 * The record after this sync's newly finished pods (their finish times, epoch ms). With successes among them, only
 * failures after the last success count (newBackoffRecord).
 */
export function updateBackoff(record: BackoffRecord, succeededAt: readonly number[], failedAt: readonly number[]): BackoffRecord {
  const failures = [...failedAt].sort((a, b) => a - b);
  if (succeededAt.length === 0) {
    const last = failures.at(-1);
    return last === undefined ? record : { failuresAfterLastSuccess: record.failuresAfterLastSuccess + failures.length, lastFailureTime: last };
  }
  const lastSuccess = Math.max(...succeededAt);
  const after = failures.filter((t) => t > lastSuccess);
  const last = after.at(-1);
  return last === undefined ? NO_BACKOFF : { failuresAfterLastSuccess: after.length, lastFailureTime: last };
}

/** How long pod creation still waits (0: create now). */
export function remainingBackoffMs(record: BackoffRecord, now: number, baseMs = POD_FAILURE_BACKOFF_MS, maxMs = MAX_POD_FAILURE_BACKOFF_MS): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  let delay = baseMs;
  for (let i = 1; i < record.failuresAfterLastSuccess && delay < maxMs; i++) delay *= 2;
  delay = Math.min(delay, maxMs);
  const elapsed = now - record.lastFailureTime;
  return elapsed > delay ? 0 : delay - elapsed;
}
