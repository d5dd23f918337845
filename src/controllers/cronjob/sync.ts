// One reconcile of a CronJob, as the Kubernetes CronJob controller (v2, syncCronJob + cleanupFinishedJobs) does it,
// without I/O: from the CronJob and the Jobs it owns, the Job to create, the Jobs to delete, the new status, events
// and when to look again.
import type { CronJob, CronJobStatus, Job, ObjectReference } from '../../kube/batch.js';
import { CRONJOB_SCHEDULED_TIMESTAMP } from '../../kube/batch.js';
import { CronSyntaxError, parseSchedule, type CronSchedule } from '../../kube/cron/schedule.js';
import { loadTimeZone, type TimeZone } from '../../kube/cron/zone.js';
import { isJobComplete, isJobFailed, isJobFinished } from '../job/conditions.js';
import type { JobEvent } from '../job/sync.js';
import { mostRecentScheduleTime, nextScheduleDelayMs } from './schedule-times.js';

export const DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT = 3;
export const DEFAULT_FAILED_JOBS_HISTORY_LIMIT = 1;

export interface CronJobSyncInput {
  readonly cronJob: CronJob;
  /** The Jobs this CronJob controls (ownerReference with controller: true). */
  readonly jobs: readonly Job[];
  readonly now: number;
  /** The zone of a CronJob without spec.timeZone: the daemon's own (Kubernetes: the controller manager's). */
  readonly localZone: TimeZone;
}

export interface CronJobSyncPlan {
  readonly status: CronJobStatus;
  /** The Job to create, named `<cronjob>-<scheduled time in minutes since the epoch>`; the ownerReference is the
   * controller's to add. */
  readonly create?: Job;
  readonly delete: readonly { readonly name: string; readonly uid: string }[];
  readonly requeueAfterMs?: number;
  readonly events: readonly JobEvent[];
}

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const refOf = (job: Job): ObjectReference => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  name: job.metadata.name,
  ...(job.metadata.namespace !== undefined ? { namespace: job.metadata.namespace } : {}),
  ...(job.metadata.uid !== undefined ? { uid: job.metadata.uid } : {}),
});

export const jobNameFor = (cronJobName: string, scheduledMs: number): string => `${cronJobName}-${Math.floor(scheduledMs / 60_000)}`;

/** RFC 3339 in the given zone, as Go's Format(time.RFC3339): `Z` for UTC, else the numeric offset. */
export function rfc3339In(ms: number, zone: TimeZone): string {
  const offset = zone.offsetMinutes(ms);
  if (offset === 0) return rfc3339(ms);
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The Job a CronJob creates for a scheduled time (getJobFromTemplate2). */
export function jobFromTemplate(cronJob: CronJob, scheduledMs: number, annotationZone: TimeZone): Job {
  const template = cronJob.spec.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cronJob.metadata.name, scheduledMs),
      ...(cronJob.metadata.namespace !== undefined ? { namespace: cronJob.metadata.namespace } : {}),
      ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
      annotations: { ...template.metadata?.annotations, [CRONJOB_SCHEDULED_TIMESTAMP]: rfc3339In(scheduledMs, annotationZone) },
    },
    spec: template.spec,
  };
}

/** The schedule in the CronJob's zone, or the event saying why it cannot run. */
function scheduleOf(cronJob: CronJob, localZone: TimeZone): CronSchedule | JobEvent {
  let zone = localZone;
  if (cronJob.spec.timeZone !== undefined) {
    const loaded = loadTimeZone(cronJob.spec.timeZone);
    if (typeof loaded === 'string')
      return { type: 'Warning', reason: 'UnknownTimeZone', message: `invalid timeZone: ${JSON.stringify(cronJob.spec.timeZone)}: ${loaded}` };
    zone = loaded;
  }
  try {
    return parseSchedule(cronJob.spec.schedule, zone);
  } catch (e) {
    if (!(e instanceof CronSyntaxError)) throw e;
    return { type: 'Warning', reason: 'UnparseableSchedule', message: `unparseable schedule: ${JSON.stringify(cronJob.spec.schedule)} : ${e.message}` };
  }
}

interface Working {
  active: ObjectReference[];
  lastScheduleTime: string | undefined;
  lastSuccessfulTime: string | undefined;
  readonly events: JobEvent[];
  readonly deletes: { name: string; uid: string }[];
}

/** Brings status.active and lastSuccessfulTime up to date with the Jobs that exist. */
function reconcileActive(input: CronJobSyncInput, w: Working): void {
  const byUid = new Map(input.jobs.map((j) => [j.metadata.uid ?? '', j]));
  for (const job of input.jobs) {
    const listed = w.active.some((a) => a.uid === job.metadata.uid);
    if (!listed && !isJobFinished(job))
      w.events.push({ type: 'Warning', reason: 'UnexpectedJob', message: `Saw a job that the controller did not create or forgot: ${job.metadata.name}` });
    else if (listed && isJobFinished(job)) {
      w.active = w.active.filter((a) => a.uid !== job.metadata.uid);
      const condition = isJobComplete(job) ? 'Complete' : 'Failed';
      w.events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${job.metadata.name}, condition: ${condition}` });
    }
    const done = job.status?.completionTime;
    if (isJobComplete(job) && done !== undefined && (w.lastSuccessfulTime === undefined || Date.parse(done) > Date.parse(w.lastSuccessfulTime)))
      w.lastSuccessfulTime = done;
  }
  for (const ref of [...w.active]) {
    if (byUid.has(ref.uid ?? '')) continue;
    w.events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${ref.name ?? ''}` });
    w.active = w.active.filter((a) => a.uid !== ref.uid);
  }
}

export function syncCronJob(input: CronJobSyncInput): CronJobSyncPlan {
  const { cronJob } = input;
  const w: Working = {
    active: [...(cronJob.status?.active ?? [])],
    lastScheduleTime: cronJob.status?.lastScheduleTime,
    lastSuccessfulTime: cronJob.status?.lastSuccessfulTime,
    events: [],
    deletes: [],
  };
  reconcileActive(input, w);
  const decision = decide(input, w);
  cleanupFinishedJobs(cronJob, input.jobs, w);
  const status: CronJobStatus = {
    ...(w.active.length > 0 ? { active: w.active } : {}),
    ...(w.lastScheduleTime !== undefined ? { lastScheduleTime: w.lastScheduleTime } : {}),
    ...(w.lastSuccessfulTime !== undefined ? { lastSuccessfulTime: w.lastSuccessfulTime } : {}),
  };
  return {
    status,
    ...(decision.create ? { create: decision.create } : {}),
    delete: w.deletes,
    ...(decision.requeueAfterMs !== undefined ? { requeueAfterMs: Math.max(0, decision.requeueAfterMs) } : {}),
    events: w.events,
  };
}

/** Whether a Job is due now and what to do about it (the scheduling half of syncCronJob). */
function decide(input: CronJobSyncInput, w: Working): { create?: Job; requeueAfterMs?: number } {
  const { cronJob, now } = input;
  const schedule = scheduleOf(cronJob, input.localZone);
  if (!('next' in schedule)) {
    w.events.push(schedule);
    return {};
  }
  if (cronJob.spec.suspend === true) return {};
  const again = (): { requeueAfterMs?: number } => {
    const current: CronJob = { ...cronJob, status: { ...cronJob.status, ...(w.lastScheduleTime ? { lastScheduleTime: w.lastScheduleTime } : {}) } };
    const delay = nextScheduleDelayMs(current, now, schedule);
    return delay === undefined ? {} : { requeueAfterMs: delay };
  };
  const recent = mostRecentScheduleTime(
    { ...cronJob, status: { ...cronJob.status, ...(w.lastScheduleTime ? { lastScheduleTime: w.lastScheduleTime } : {}) } },
    now,
    schedule,
    true,
  );
  if (recent.error !== undefined) {
    w.events.push({ type: 'Warning', reason: 'InvalidSchedule', message: `invalid schedule: ${cronJob.spec.schedule} : ${recent.error}` });
    return {};
  }
  const scheduled = recent.mostRecent;
  if (scheduled === undefined || scheduled > now) return again();
  if (recent.missed === 'many')
    w.events.push({
      type: 'Warning',
      reason: 'TooManyMissedTimes',
      message: 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
    });
  const deadline = cronJob.spec.startingDeadlineSeconds;
  if (deadline !== undefined && scheduled + deadline * 1000 < now) {
    w.events.push({
      type: 'Warning',
      reason: 'MissSchedule',
      message: `Missed scheduled time to start a job: ${new Date(scheduled).toUTCString().replace('GMT', '+0000')}`,
    });
    return again();
  }
  const name = jobNameFor(cronJob.metadata.name, scheduled);
  if (w.active.some((a) => a.name === name) || (w.lastScheduleTime !== undefined && Date.parse(w.lastScheduleTime) === scheduled)) return again();
  const policy = cronJob.spec.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && w.active.length > 0) {
    w.events.push({
      type: 'Normal',
      reason: 'JobAlreadyActive',
      message: 'Not starting job because prior execution is running and concurrency policy is Forbid',
    });
    return again();
  }
  if (policy === 'Replace') {
    for (const ref of w.active) deleteJob(w, ref.name ?? '', ref.uid ?? '');
  }
  const existing = input.jobs.find((j) => j.metadata.name === name);
  if (existing) {
    // Created before a crash that lost the status write (the name is the lock): take it into the active list.
    w.active.push(refOf(existing));
    w.lastScheduleTime = rfc3339(scheduled);
    return again();
  }
  const annotationZone = cronJob.spec.timeZone === undefined ? utcZone() : (loadTimeZone(cronJob.spec.timeZone) as TimeZone);
  w.lastScheduleTime = rfc3339(scheduled);
  const create = jobFromTemplate(cronJob, scheduled, annotationZone);
  return { create, ...again() };
}

let utc: TimeZone | undefined;
/** Go's LoadLocation("") for the scheduled-timestamp annotation of a CronJob without a zone. */
const utcZone = (): TimeZone => (utc ??= loadTimeZone('UTC') as TimeZone);

function deleteJob(w: Working, name: string, uid: string): void {
  w.deletes.push({ name, uid });
  w.active = w.active.filter((a) => a.uid !== uid);
  w.events.push({ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted job ${name}` });
}

/** Keeps the newest successfulJobsHistoryLimit Complete and failedJobsHistoryLimit Failed Jobs (oldest start first). */
function cleanupFinishedJobs(cronJob: CronJob, jobs: readonly Job[], w: Working): void {
  const limits: [readonly Job[], number][] = [
    [jobs.filter(isJobComplete), cronJob.spec.successfulJobsHistoryLimit ?? DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT],
    [jobs.filter((j) => isJobFailed(j) && !isJobComplete(j)), cronJob.spec.failedJobsHistoryLimit ?? DEFAULT_FAILED_JOBS_HISTORY_LIMIT],
  ];
  for (const [finished, limit] of limits) {
    const excess = finished.length - limit;
    if (excess <= 0) continue;
    for (const job of [...finished].sort(byStartTime).slice(0, excess)) deleteJob(w, job.metadata.name, job.metadata.uid ?? '');
  }
}

/** Oldest start first; Jobs that never started last; ties by name. */
function byStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (sa === undefined && sb !== undefined) return 1;
  if (sa !== undefined && sb === undefined) return -1;
  if (sa === sb || sa === undefined || sb === undefined) return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  return Date.parse(sa) - Date.parse(sb);
}
