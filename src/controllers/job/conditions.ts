// Job conditions as the API reports them in Kubernetes 1.32: the controller first adds the interim
// SuccessCriteriaMet or FailureTarget condition, and the terminal Complete or Failed (same reason and message) only
// once no pod of the Job is still terminating (delayTerminalCondition, on with JobPodReplacementPolicy).
import type { Job, JobCondition, JobConditionType } from '../../kube/batch.js';

export const REASON_BACKOFF_LIMIT = 'BackoffLimitExceeded';
export const MESSAGE_BACKOFF_LIMIT = 'Job has reached the specified backoff limit';
export const REASON_DEADLINE = 'DeadlineExceeded';
export const MESSAGE_DEADLINE = 'Job was active longer than specified deadline';
export const REASON_COMPLETIONS = 'CompletionsReached';
export const MESSAGE_COMPLETIONS = 'Reached expected number of succeeded pods';

export const findCondition = (conditions: readonly JobCondition[] | undefined, type: JobConditionType): JobCondition | undefined =>
  conditions?.find((c) => c.type === type);

const isTrue = (conditions: readonly JobCondition[] | undefined, type: JobConditionType): boolean => findCondition(conditions, type)?.status === 'True';

export const isJobComplete = (job: Job): boolean => isTrue(job.status?.conditions, 'Complete');
export const isJobFailed = (job: Job): boolean => isTrue(job.status?.conditions, 'Failed');
/** Finished: Complete or Failed (IsJobFinished). */
export const isJobFinished = (job: Job): boolean => isJobComplete(job) || isJobFailed(job);

/** When the Job finished: the terminal condition's transition time (the TTL controller's start). */
export function jobFinishTime(job: Job): number | undefined {
  const condition = job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  return condition?.lastTransitionTime === undefined ? undefined : Date.parse(condition.lastTransitionTime);
}

export function newCondition(type: JobConditionType, status: 'True' | 'False', reason: string, message: string, now: number): JobCondition {
  const at = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { type, status, reason, message, lastProbeTime: at, lastTransitionTime: at };
}

/**
 * ensureJobConditionStatus: replaces the condition of this type if its status, reason or message differ, appends
 * it if missing (never a missing one as False). Returns the list and whether it changed.
 */
export function ensureCondition(
  list: readonly JobCondition[],
  type: JobConditionType,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: number,
): [JobCondition[], boolean] {
  const at = list.findIndex((c) => c.type === type);
  const existing = list[at];
  if (existing) {
    if (existing.status === status && existing.reason === reason && existing.message === message) return [[...list], false];
    const next = [...list];
    next[at] = newCondition(type, status, reason, message, now);
    return [next, true];
  }
  if (status === 'False') return [[...list], false];
  return [[...list, newCondition(type, status, reason, message, now)], true];
}
