// The API server's rules for batch/v1 Jobs and CronJobs beyond structure (pkg/apis/batch/validation), and what it
// fills in when a Job is created (the generated selector and labels). The pod template itself is checked as a pod.
import type { CronJob, Job, JobSpec } from './batch.js';
import { CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL } from './batch.js';
import { CronSyntaxError, parseSchedule } from './cron/schedule.js';
import { loadTimeZone, TimeZone } from './cron/zone.js';
import type { Finding } from './schema.js';

/** Indexed Jobs: at most this many completions and parallel pods (maxParallelismForIndexedJob, maxCompletionsForIndexedJob). */
const MAX_INDEXED = 100_000;
/** A CronJob's Jobs are named `<name>-<11 digits>`, and a Job name must stay a label value of 63. */
const MAX_CRONJOB_NAME = 52;
const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];

const nonNegative = (value: number | undefined, path: string, errors: Finding[]): void => {
  if (value !== undefined && value < 0) errors.push({ path, message: `Invalid value: ${value}: must be greater than or equal to 0` });
};

export function validateJobSpec(spec: JobSpec, path: string, errors: Finding[]): void {
  nonNegative(spec.parallelism, `${path}.parallelism`, errors);
  nonNegative(spec.completions, `${path}.completions`, errors);
  nonNegative(spec.backoffLimit, `${path}.backoffLimit`, errors);
  nonNegative(spec.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`, errors);
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds <= 0)
    errors.push({ path: `${path}.activeDeadlineSeconds`, message: `Invalid value: ${spec.activeDeadlineSeconds}: must be greater than 0` });
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed')
    errors.push({ path: `${path}.completionMode`, message: `Unsupported value: ${JSON.stringify(mode)}: supported values: "NonIndexed", "Indexed"` });
  if (mode === 'Indexed') {
    if (spec.completions === undefined) errors.push({ path: `${path}.completions`, message: 'Required value: when completion mode is Indexed' });
    else if (spec.completions > MAX_INDEXED)
      errors.push({
        path: `${path}.completions`,
        message: `Invalid value: ${spec.completions}: must be less than or equal to ${MAX_INDEXED} when completion mode is Indexed`,
      });
    if ((spec.parallelism ?? 1) > MAX_INDEXED)
      errors.push({
        path: `${path}.parallelism`,
        message: `Invalid value: ${spec.parallelism}: must be less than or equal to ${MAX_INDEXED} when completion mode is Indexed`,
      });
  }
  // Only the default replacement policy is implemented: a terminating pod counts as failed and is replaced at once.
  const replacement = (spec as { podReplacementPolicy?: unknown }).podReplacementPolicy;
  if (replacement !== undefined && replacement !== 'TerminatingOrFailed')
    errors.push({
      path: `${path}.podReplacementPolicy`,
      message: `Unsupported value: ${JSON.stringify(replacement)}: supported values: "TerminatingOrFailed"`,
    });
  const policy = spec.template.spec.restartPolicy ?? 'Always';
  if (policy !== 'OnFailure' && policy !== 'Never')
    errors.push({
      path: `${path}.template.spec.restartPolicy`,
      message: `Unsupported value: ${JSON.stringify(policy)}: supported values: "OnFailure", "Never"`,
    });
  if (spec.manualSelector === true) {
    const selector = spec.selector?.matchLabels ?? {};
    const labels = spec.template.metadata?.labels ?? {};
    if (spec.selector === undefined) errors.push({ path: `${path}.selector`, message: 'Required value' });
    else if (Object.entries(selector).some(([k, v]) => labels[k] !== v))
      errors.push({ path: `${path}.template.metadata.labels`, message: 'Invalid value: `selector` does not match template `labels`' });
  }
}

/** A Job as created: without manualSelector the selector is generated from the Job's uid (the API server's
 * generateSelector), and the pod template carries the matching labels. */
export function prepareJob(job: Job, uid: string): Job {
  if (job.spec.manualSelector === true) return job;
  const generated = {
    [CONTROLLER_UID_LABEL]: uid,
    [JOB_NAME_LABEL]: job.metadata.name,
    [LEGACY_CONTROLLER_UID_LABEL]: uid,
    [LEGACY_JOB_NAME_LABEL]: job.metadata.name,
  };
  const template = job.spec.template;
  return {
    ...job,
    spec: {
      ...job.spec,
      selector: { matchLabels: { [CONTROLLER_UID_LABEL]: uid } },
      template: { ...template, metadata: { ...template.metadata, labels: { ...template.metadata?.labels, ...generated } } },
    },
  };
}

/** The schedule's parse error (robfig's text), parsed in UTC: validity does not depend on the zone. */
function scheduleError(schedule: string): string | undefined {
  try {
    parseSchedule(schedule, new TimeZone('UTC'));
    return undefined;
  } catch (e) {
    if (e instanceof CronSyntaxError) return e.message;
    throw e;
  }
}

/** Rules a CronJob's schedule, zone, limits and Job template must meet. */
export function validateCronJob(cronJob: CronJob, errors: Finding[]): void {
  const { spec } = cronJob;
  const zone = spec.timeZone === undefined ? undefined : loadTimeZone(spec.timeZone);
  const zoneError = typeof zone === 'string' ? zone : undefined;
  if (cronJob.metadata.name.length > MAX_CRONJOB_NAME)
    errors.push({
      path: 'metadata.name',
      message: `Invalid value: ${JSON.stringify(cronJob.metadata.name)}: must be no more than ${MAX_CRONJOB_NAME} characters`,
    });
  if (spec.schedule === '') errors.push({ path: 'spec.schedule', message: 'Required value' });
  else if (spec.schedule.includes('TZ'))
    errors.push({
      path: 'spec.schedule',
      message: `Invalid value: ${JSON.stringify(spec.schedule)}: cannot use TZ or CRON_TZ in schedule, use timeZone field instead`,
    });
  else {
    const problem = scheduleError(spec.schedule);
    if (problem !== undefined) errors.push({ path: 'spec.schedule', message: `Invalid value: ${JSON.stringify(spec.schedule)}: ${problem}` });
  }
  if (zoneError !== undefined) errors.push({ path: 'spec.timeZone', message: `Invalid value: ${JSON.stringify(spec.timeZone)}: ${zoneError}` });
  const policy = spec.concurrencyPolicy;
  if (policy !== undefined && !CONCURRENCY_POLICIES.includes(policy))
    errors.push({ path: 'spec.concurrencyPolicy', message: `Unsupported value: ${JSON.stringify(policy)}: supported values: "Allow", "Forbid", "Replace"` });
  nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds', errors);
  nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit', errors);
  nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit', errors);
  validateJobSpec(spec.jobTemplate.spec, 'spec.jobTemplate.spec', errors);
}
