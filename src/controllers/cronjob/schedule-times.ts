// Which scheduled time a CronJob is due for now, as the CronJob controller (v2) works it out
// (pkg/controller/cronjob/utils.go mostRecentScheduleTime, nextScheduleTime, nextScheduleTimeDuration).
import type { CronJob } from '../../kube/batch.js';
import type { CronSchedule } from '../../kube/cron/schedule.js';

/** More missed start times than this is a clock problem or a long outage: the controller warns (and still runs the
 * most recent one). */
export const MANY_MISSED = 100;
/** The controller wakes up this long after a scheduled time, so the time has surely passed. */
export const NEXT_SCHEDULE_DELTA_MS = 100;

export interface MostRecent {
  /** Where the search started: the last schedule time, or creation, moved up to now − startingDeadlineSeconds. */
  readonly earliest: number;
  readonly mostRecent?: number;
  readonly missed: 'none' | 'few' | 'many';
  readonly error?: string;
}

export function mostRecentScheduleTime(cronJob: CronJob, now: number, schedule: CronSchedule, withStartingDeadline: boolean): MostRecent {
  const created = Date.parse(cronJob.metadata.creationTimestamp ?? '');
  const last = cronJob.status?.lastScheduleTime === undefined ? undefined : Date.parse(cronJob.status.lastScheduleTime);
  let earliest = last ?? (Number.isNaN(created) ? now : created);
  const deadline = cronJob.spec.startingDeadlineSeconds;
  if (withStartingDeadline && deadline !== undefined) earliest = Math.max(earliest, now - deadline * 1000);
  const t1 = schedule.next(earliest);
  const t2 = t1 === undefined ? undefined : schedule.next(t1);
  if (t1 === undefined || now < t1) return { earliest, missed: 'none' };
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) return { earliest, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  // A rough count from the first interval, then the exact most recent time from one interval before the estimate.
  const missedCount = Math.floor((now - t1) / 1000 / between) + 1;
  let mostRecent: number | undefined;
  for (let t = schedule.next(t1 + (missedCount - 2) * between * 1000); t !== undefined && t <= now; t = schedule.next(t)) mostRecent = t;
  const missed = missedCount > MANY_MISSED ? 'many' : 'few';
  return mostRecent === undefined ? { earliest, missed } : { earliest, mostRecent, missed };
}

/** How long until the controller should look again: just after the next scheduled time. */
export function nextScheduleDelayMs(cronJob: CronJob, now: number, schedule: CronSchedule): number | undefined {
  const recent = mostRecentScheduleTime(cronJob, now, schedule, false);
  const from = recent.error !== undefined ? now : (recent.mostRecent ?? recent.earliest);
  const next = schedule.next(from);
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS - now;
}
