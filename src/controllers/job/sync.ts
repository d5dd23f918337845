// One reconcile of a Job, as the Kubernetes Job controller's syncJob does it, without I/O: from the Job, its pods
// and the controller's own tracking state, the plan of pods to create and delete, the new status, events and when to
// look again. The daemon's Job controller (job-controller.ts) carries the plan out.
import type { PodPhase } from '../../kube/types.js';
import type { Job, JobCondition, JobSpec, JobStatus } from '../../kube/batch.js';
import { remainingBackoffMs, updateBackoff, type BackoffRecord } from './backoff.js';
import * as C from './conditions.js';
import { firstPendingIndexes, formatIndexes, parseIndexes } from './indexes.js';

/** What the controller needs to know of one pod the Job owns. */
export interface JobPod {
  readonly name: string;
  readonly uid: string;
  readonly phase: PodPhase;
  readonly ready: boolean;
  /** Its deletion was asked for and it has not reached a terminal phase yet. */
  readonly terminating: boolean;
  readonly completionIndex?: number | undefined;
  /** Container restarts, init containers included (OnFailure pods count these against backoffLimit). */
  readonly restarts: number;
  /** When it finished (its last container's finishedAt), epoch ms. */
  readonly finishedAt?: number | undefined;
}

/**
 * The controller's memory between syncs, kept beside the Job. `tracked` are the pods not yet counted in
 * status.succeeded/failed: what Kubernetes marks with the batch.kubernetes.io/job-tracking finalizer, so a pod that
 * disappears before it was counted counts as failed, and one the controller removes on purpose (suspend, excess)
 * does not count at all.
 */
export interface JobTracking {
  readonly tracked: readonly string[];
  readonly backoff: BackoffRecord;
}

export interface JobEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export interface JobSyncInput {
  readonly job: Job;
  readonly pods: readonly JobPod[];
  readonly tracking: JobTracking;
  readonly now: number;
  /** The pod failure back-off's first delay and cap (tests may shorten them; the doubling stays). */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
}

export interface JobSyncPlan {
  readonly status: JobStatus;
  readonly tracking: JobTracking;
  /** Pods to create; `index` for Indexed Jobs. */
  readonly create: readonly { readonly index?: number }[];
  readonly delete: readonly { readonly name: string; readonly uid: string }[];
  readonly requeueAfterMs?: number;
  readonly events: readonly JobEvent[];
}

export const DEFAULT_BACKOFF_LIMIT = 6;

/** The API server's defaults (pkg/apis/batch/v1/defaults.go): one pod to one completion unless told otherwise. */
export function jobDefaults(spec: JobSpec): Required<Pick<JobSpec, 'parallelism' | 'backoffLimit' | 'completionMode' | 'suspend'>> & {
  readonly completions: number | undefined;
} {
  const bothUnset = spec.completions === undefined && spec.parallelism === undefined;
  return {
    completions: bothUnset ? 1 : spec.completions,
    parallelism: spec.parallelism ?? 1,
    backoffLimit: spec.backoffLimit ?? DEFAULT_BACKOFF_LIMIT,
    completionMode: spec.completionMode ?? 'NonIndexed',
    suspend: spec.suspend ?? false,
  };
}

const TERMINAL: ReadonlySet<PodPhase> = new Set(['Succeeded', 'Failed']);
const isTerminal = (pod: JobPod): boolean => TERMINAL.has(pod.phase);
const isActive = (pod: JobPod): boolean => !isTerminal(pod) && !pod.terminating;
const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Accounting {
  readonly tracked: Set<string>;
  readonly succeeded: readonly JobPod[];
  readonly failedAt: readonly number[];
}

/** Counts the tracked pods that finished, were deleted or vanished; adopts active pods not tracked yet. */
function account(input: JobSyncInput, validIndex: (pod: JobPod) => boolean): Accounting {
  const tracked = new Set(input.tracking.tracked);
  const present = new Set(input.pods.map((p) => p.uid));
  const succeeded: JobPod[] = [];
  const failedAt: number[] = [];
  for (const pod of input.pods) {
    if (!tracked.has(pod.uid)) {
      // Created just before a crash that lost the tracking write: active pods are never already counted.
      if (isActive(pod)) tracked.add(pod.uid);
      continue;
    }
    if (!isTerminal(pod) && !pod.terminating) continue;
    tracked.delete(pod.uid);
    if (!validIndex(pod)) continue;
    if (pod.phase === 'Succeeded') succeeded.push(pod);
    else failedAt.push(pod.finishedAt ?? input.now);
  }
  for (const uid of input.tracking.tracked) {
    if (present.has(uid)) continue;
    tracked.delete(uid);
    failedAt.push(input.now);
  }
  return { tracked, succeeded, failedAt };
}

/** OnFailure pods restart in place: their containers' restarts count against backoffLimit (pastBackoffLimitOnFailure). */
function pastBackoffLimitOnFailure(job: Job, pods: readonly JobPod[], backoffLimit: number): boolean {
  if (job.spec.template.spec.restartPolicy !== 'OnFailure') return false;
  const restarts = pods.filter((p) => p.phase === 'Running' || p.phase === 'Pending').reduce((sum, p) => sum + p.restarts, 0);
  return backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit;
}

/** Which pods to remove when more run than wanted: duplicate or invalid indexes first, then not ready before ready. */
function podsForRemoval(active: readonly JobPod[], atLeast: number, indexed: boolean, completions: number | undefined): JobPod[] {
  const remove: JobPod[] = [];
  let left = [...active];
  if (indexed) {
    const seen = new Set<number>();
    left = [];
    for (const pod of [...active].sort((a, b) => (a.completionIndex ?? -1) - (b.completionIndex ?? -1))) {
      const ix = pod.completionIndex;
      if (ix === undefined || ix >= (completions ?? 0) || seen.has(ix)) remove.push(pod);
      else {
        seen.add(ix);
        left.push(pod);
      }
    }
  }
  if (remove.length < atLeast) {
    const rank = (p: JobPod): number => (p.ready ? 2 : 0) + (p.phase === 'Running' ? 1 : 0);
    left.sort((a, b) => rank(a) - rank(b));
    remove.push(...left.slice(0, atLeast - remove.length));
  }
  return remove;
}

type Finished = { readonly kind: 'success' | 'failure'; readonly reason: string; readonly message: string };

/** What this sync counts: the counters with the newly finished pods, the start time, the back-off. */
interface Counted {
  readonly spec: ReturnType<typeof jobDefaults>;
  readonly indexed: boolean;
  readonly acc: Accounting;
  readonly succeededIndexes: Set<number>;
  readonly succeeded: number;
  readonly failed: number;
  readonly startTime: string | undefined;
  readonly backoff: BackoffRecord;
}

function count(input: JobSyncInput): Counted {
  const { job, now } = input;
  const status = job.status ?? {};
  const spec = jobDefaults(job.spec);
  const indexed = spec.completionMode === 'Indexed';
  const validIndex = (p: JobPod): boolean => !indexed || (p.completionIndex !== undefined && p.completionIndex < (spec.completions ?? 0));
  const acc = account(input, validIndex);
  const succeededIndexes = indexed ? parseIndexes(status.completedIndexes, spec.completions ?? 0) : new Set<number>();
  for (const pod of input.pods) if (indexed && pod.phase === 'Succeeded' && validIndex(pod)) succeededIndexes.add(pod.completionIndex ?? 0);
  return {
    spec,
    indexed,
    acc,
    succeededIndexes,
    succeeded: indexed ? succeededIndexes.size : (status.succeeded ?? 0) + acc.succeeded.length,
    failed: (status.failed ?? 0) + acc.failedAt.length,
    startTime: status.startTime ?? (spec.suspend ? undefined : rfc3339(now)),
    backoff: updateBackoff(
      input.tracking.backoff,
      acc.succeeded.map((p) => p.finishedAt ?? now),
      acc.failedAt,
    ),
  };
}

/** Whether the Job has failed by now (backoffLimit, activeDeadlineSeconds); else when its deadline comes. */
function failure(input: JobSyncInput, c: Counted, requeue: number[]): Finished | undefined {
  const { job, now } = input;
  if (c.failed > c.spec.backoffLimit || pastBackoffLimitOnFailure(job, input.pods, c.spec.backoffLimit))
    return { kind: 'failure', reason: C.REASON_BACKOFF_LIMIT, message: C.MESSAGE_BACKOFF_LIMIT };
  const deadline = job.spec.activeDeadlineSeconds;
  if (deadline === undefined || c.startTime === undefined || c.spec.suspend) return undefined;
  const endsAt = Date.parse(c.startTime) + deadline * 1000;
  if (now >= endsAt) return { kind: 'failure', reason: C.REASON_DEADLINE, message: C.MESSAGE_DEADLINE };
  requeue.push(endsAt - now);
  return undefined;
}

/** The pods this sync deletes and creates, and what stays active and terminating after it. */
class PodChanges {
  active: JobPod[];
  terminating: number;
  readonly toDelete: JobPod[] = [];
  readonly toCreate: { index?: number }[] = [];

  constructor(pods: readonly JobPod[]) {
    this.active = pods.filter(isActive);
    this.terminating = pods.filter((p) => p.terminating && !isTerminal(p)).length;
  }

  /** Deletes these pods; `untrack` from `tracked` when their end must not count (suspend, surplus, success). */
  release(pods: readonly JobPod[], tracked: Set<string> | undefined): void {
    this.toDelete.push(...pods);
    this.terminating += pods.length;
    const gone = new Set(pods.map((p) => p.uid));
    for (const uid of gone) tracked?.delete(uid);
    this.active = this.active.filter((p) => !gone.has(p.uid));
  }

  get running(): number {
    return this.active.length + this.toCreate.length;
  }
}

/** manageJob: the suspended Job's pods deleted, surplus pods deleted, or missing pods created after the back-off. */
function manage(input: JobSyncInput, c: Counted, pods: PodChanges, requeue: number[]): void {
  const { spec } = c;
  if (spec.suspend) return pods.release(pods.active, c.acc.tracked);
  const wantActive = desiredActive(spec, c.succeeded, pods.active.length);
  const excess = podsForRemoval(pods.active, Math.max(0, pods.active.length - wantActive), c.indexed, spec.completions);
  if (excess.length > 0) return pods.release(excess, c.acc.tracked);
  if (wantActive <= pods.active.length) return;
  const wait = remainingBackoffMs(c.backoff, input.now, input.backoffBaseMs, input.backoffMaxMs);
  if (wait > 0) requeue.push(wait);
  else if (c.indexed) {
    const activeIndexes = new Set(pods.active.map((p) => p.completionIndex ?? -1));
    for (const index of firstPendingIndexes(c.succeededIndexes, activeIndexes, wantActive - pods.active.length, spec.completions ?? 0))
      pods.toCreate.push({ index });
  } else for (let i = pods.active.length; i < wantActive; i++) pods.toCreate.push({});
}

/** The interim condition, and the terminal one with completionTime once no pod of the Job is terminating. */
function finish(finished: Finished, conditions: JobCondition[], terminating: number, now: number, events: JobEvent[]): string | undefined {
  const interim = finished.kind === 'success' ? 'SuccessCriteriaMet' : 'FailureTarget';
  if (!C.findCondition(conditions, interim)) conditions.push(C.newCondition(interim, 'True', finished.reason, finished.message, now));
  if (terminating > 0) return undefined;
  const terminal = finished.kind === 'success' ? 'Complete' : 'Failed';
  conditions.push(C.newCondition(terminal, 'True', finished.reason, finished.message, now));
  if (terminal === 'Failed') {
    events.push({ type: 'Warning', reason: finished.reason, message: finished.message });
    return undefined;
  }
  events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
  return rfc3339(now);
}

export function syncJob(input: JobSyncInput): JobSyncPlan {
  const { job, now } = input;
  const status = job.status ?? {};
  if (C.isJobFinished(job)) return { status, tracking: input.tracking, create: [], delete: [], events: [] };
  const c = count(input);
  const events: JobEvent[] = [];
  const requeue: number[] = [];
  let conditions: JobCondition[] = [...(status.conditions ?? [])];
  let startTime = c.startTime;
  const pods = new PodChanges(input.pods);
  let finished = finishedFrom(conditions) ?? failure(input, c, requeue);
  // Every pod still running when the Job fails is a failure, counted in the sync that deletes it (Kubernetes'
  // trackJobStatusAndRemoveFinalizers, "every non-terminated pod is considered failed"): one that then exits 0
  // on its TERM does not become a success.
  let failedNow = 0;
  if (finished) {
    if (finished.kind === 'failure') failedNow = pods.active.length;
    pods.release(pods.active, c.acc.tracked);
  } else {
    manage(input, c, pods, requeue);
    const completions = c.spec.completions;
    const complete = pods.running === 0 && (completions === undefined ? c.succeeded > 0 : c.succeeded >= completions);
    if (complete) finished = { kind: 'success', reason: C.REASON_COMPLETIONS, message: C.MESSAGE_COMPLETIONS };
    else {
      const suspendState = suspendCondition(conditions, c.spec.suspend, now, events);
      conditions = suspendState.conditions;
      if (suspendState.resumed) startTime = rfc3339(now);
    }
  }
  const completionTime = (finished ? finish(finished, conditions, pods.terminating, now, events) : undefined) ?? status.completionTime;
  const next: JobStatus = {
    ...(conditions.length > 0 ? { conditions } : {}),
    ...(startTime !== undefined ? { startTime } : {}),
    ...(completionTime !== undefined ? { completionTime } : {}),
    ...(pods.running > 0 ? { active: pods.running } : {}),
    ...(c.succeeded > 0 ? { succeeded: c.succeeded } : {}),
    ...(c.failed + failedNow > 0 ? { failed: c.failed + failedNow } : {}),
    terminating: pods.terminating,
    ready: pods.active.filter((p) => p.ready).length,
    ...(c.indexed && c.succeededIndexes.size > 0 ? { completedIndexes: formatIndexes(c.succeededIndexes) } : {}),
  };
  const soonest = requeue.length > 0 ? Math.max(0, Math.min(...requeue)) : undefined;
  return {
    status: next,
    tracking: { tracked: [...c.acc.tracked], backoff: c.backoff },
    create: pods.toCreate,
    delete: pods.toDelete.map((p) => ({ name: p.name, uid: p.uid })),
    events,
    ...(soonest !== undefined ? { requeueAfterMs: soonest } : {}),
  };
}

function finishedFrom(conditions: readonly JobCondition[]): Finished | undefined {
  const success = conditions.find((c) => c.type === 'SuccessCriteriaMet' && c.status === 'True');
  if (success) return { kind: 'success', reason: success.reason ?? '', message: success.message ?? '' };
  const failure = conditions.find((c) => c.type === 'FailureTarget' && c.status === 'True');
  if (failure) return { kind: 'failure', reason: failure.reason ?? '', message: failure.message ?? '' };
  return undefined;
}

/** How many pods should run: never more than the completions still missing, nor than parallelism. A Job without
 * completions (a work queue) stops adding pods after its first success. */
function desiredActive(spec: ReturnType<typeof jobDefaults>, succeeded: number, active: number): number {
  if (spec.completions === undefined) return succeeded > 0 ? active : spec.parallelism;
  return Math.max(0, Math.min(spec.completions - succeeded, spec.parallelism));
}

function suspendCondition(
  conditions: readonly JobCondition[],
  suspend: boolean,
  now: number,
  events: JobEvent[],
): { conditions: JobCondition[]; resumed: boolean } {
  if (suspend) {
    const [list, changed] = C.ensureCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
    if (changed) events.push({ type: 'Normal', reason: 'Suspended', message: 'Job suspended' });
    return { conditions: list, resumed: false };
  }
  const [list, changed] = C.ensureCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
  // A resumed Job's startTime restarts: activeDeadlineSeconds counts continuous activity.
  if (changed) events.push({ type: 'Normal', reason: 'Resumed', message: 'Job resumed' });
  return { conditions: list, resumed: changed };
}
