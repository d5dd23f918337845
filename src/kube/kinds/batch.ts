// batch/v1 Job and CronJob as API kinds: shapes, the API server's rules and defaults (pkg/apis/batch: the
// generated selector and labels of a created Job included) and kubectl's get columns (printJob, printCronJob).
import { SHAPES } from '../schema.js';
import { defaultPodSpec } from '../defaults.js';
import { formatSelector } from '../label-selector.js';
import type { CronJob, Job, JobSpec } from '../batch.js';
import { prepareJob, validateCronJob, validateJobSpec } from '../validate-batch.js';
import { LABEL_SELECTOR_SHAPE, POD_TEMPLATE_SHAPE, validatePodTemplate } from './template.js';
import { ageOf, humanDuration, isRecord, type ApiObject, type Column, type KindInfo } from './kind.js';

const { str, int, nonNeg, bool, obj, any, metadata } = SHAPES;

const JOB_SPEC = obj(
  {
    parallelism: nonNeg,
    completions: nonNeg,
    activeDeadlineSeconds: int,
    backoffLimit: nonNeg,
    backoffLimitPerIndex: nonNeg,
    maxFailedIndexes: nonNeg,
    podFailurePolicy: any,
    successPolicy: any,
    selector: LABEL_SELECTOR_SHAPE,
    manualSelector: bool,
    template: POD_TEMPLATE_SHAPE,
    ttlSecondsAfterFinished: nonNeg,
    completionMode: str,
    suspend: bool,
    podReplacementPolicy: str,
  },
  ['template'],
);

/** Fields peapod's Job controller does not implement: refused rather than silently ignored. */
const UNSUPPORTED_JOB_FIELDS = ['backoffLimitPerIndex', 'maxFailedIndexes', 'podFailurePolicy', 'successPolicy'];

function checkJobSpec(spec: Record<string, unknown>, path: string, errors: { path: string; message: string }[]): void {
  validatePodTemplate(isRecord(spec['template']) ? spec['template'] : {}, `${path}.template`, errors);
  for (const field of UNSUPPORTED_JOB_FIELDS)
    if (spec[field] !== undefined) errors.push({ path: `${path}.${field}`, message: 'Forbidden: not supported by peapod' });
  validateJobSpec(spec as unknown as JobSpec, path, errors);
}

/** The API server's Job defaults (pkg/apis/batch/v1/defaults.go): one pod to one completion unless told. */
export function defaultJobSpec(spec: JobSpec): JobSpec {
  const bothUnset = spec.completions === undefined && spec.parallelism === undefined;
  return {
    ...spec,
    ...(bothUnset ? { completions: 1 } : {}),
    parallelism: spec.parallelism ?? 1,
    backoffLimit: spec.backoffLimit ?? 6,
    completionMode: spec.completionMode ?? 'NonIndexed',
    suspend: spec.suspend ?? false,
    template: { ...spec.template, spec: defaultPodSpec(spec.template.spec) },
  };
}

const isTrue = (job: Job, type: string): boolean => (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** kubectl's job STATUS: the terminal condition, then Terminating, Suspended, the interim conditions, else Running. */
export function jobStatusWord(job: Job): string {
  if (isTrue(job, 'Complete')) return 'Complete';
  if (isTrue(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp !== undefined) return 'Terminating';
  if (isTrue(job, 'Suspended')) return 'Suspended';
  if (isTrue(job, 'FailureTarget')) return 'FailureTarget';
  if (isTrue(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

/** `2/3`; without completions `0/1`, or `0/1 of 4` with parallelism above one. */
export function jobCompletions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec.completions !== undefined) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** From startTime to completionTime, or to now while it runs; empty before it started. */
export function jobDuration(job: Job, now: number): string {
  const start = job.status?.startTime;
  if (start === undefined) return '';
  const end = job.status?.completionTime;
  return end === undefined ? ageOf(start, now) : humanDuration(Date.parse(end) - Date.parse(start));
}

const asJob = (o: ApiObject): Job => o as Job;
const asCronJob = (o: ApiObject): CronJob => o as CronJob;
const containerColumns = (spec: (o: ApiObject) => JobSpec): Column[] => [
  {
    header: 'CONTAINERS',
    value: (o) =>
      spec(o)
        .template.spec.containers.map((c) => c.name)
        .join(','),
  },
  {
    header: 'IMAGES',
    value: (o) =>
      spec(o)
        .template.spec.containers.map((c) => c.image ?? '')
        .join(','),
  },
  { header: 'SELECTOR', value: (o) => (spec(o).selector ? formatSelector(spec(o).selector) : '<none>') },
];

export const JOB_KIND: KindInfo = {
  kind: 'Job',
  apiVersion: 'batch/v1',
  plural: 'jobs',
  singular: 'job',
  shortNames: [],
  namespaced: true,
  applyOrder: 70,
  shape: obj({ apiVersion: str, kind: str, metadata, spec: JOB_SPEC, status: any }, ['metadata', 'spec']),
  validate: (value, errors) => checkJobSpec(value['spec'] as Record<string, unknown>, 'spec', errors),
  // Called once the store gave the Job its uid (and after every apply merge): the selector and the template labels
  // are generated from it, so a re-applied template keeps them.
  defaults: (object) => {
    const job = { ...object, spec: defaultJobSpec(asJob(object).spec) } as Job;
    const uid = job.metadata.uid;
    return uid === undefined ? job : prepareJob(job, uid);
  },
  columns: [
    { header: 'STATUS', value: (o) => jobStatusWord(asJob(o)) },
    { header: 'COMPLETIONS', value: (o) => jobCompletions(asJob(o)) },
    { header: 'DURATION', value: (o, now) => jobDuration(asJob(o), now) },
  ],
  wideColumns: containerColumns((o) => asJob(o).spec),
};

export const CRONJOB_KIND: KindInfo = {
  kind: 'CronJob',
  apiVersion: 'batch/v1',
  plural: 'cronjobs',
  singular: 'cronjob',
  shortNames: ['cj'],
  namespaced: true,
  applyOrder: 71,
  shape: obj(
    {
      apiVersion: str,
      kind: str,
      metadata,
      spec: obj(
        {
          schedule: str,
          timeZone: str,
          startingDeadlineSeconds: int,
          concurrencyPolicy: str,
          suspend: bool,
          jobTemplate: obj({ metadata: any, spec: JOB_SPEC }, ['spec']),
          successfulJobsHistoryLimit: nonNeg,
          failedJobsHistoryLimit: nonNeg,
        },
        ['schedule', 'jobTemplate'],
      ),
      status: any,
    },
    ['metadata', 'spec'],
  ),
  validate: (value, errors) => {
    const spec = value['spec'] as Record<string, unknown>;
    const jobTemplate = isRecord(spec['jobTemplate']) ? spec['jobTemplate'] : {};
    const jobSpec = isRecord(jobTemplate['spec']) ? jobTemplate['spec'] : {};
    validatePodTemplate(isRecord(jobSpec['template']) ? jobSpec['template'] : {}, 'spec.jobTemplate.spec.template', errors);
    for (const field of UNSUPPORTED_JOB_FIELDS)
      if (jobSpec[field] !== undefined) errors.push({ path: `spec.jobTemplate.spec.${field}`, message: 'Forbidden: not supported by peapod' });
    validateCronJob(value as unknown as CronJob, errors);
  },
  defaults: (object) => {
    const cj = asCronJob(object);
    const spec = cj.spec;
    return {
      ...object,
      spec: {
        ...spec,
        concurrencyPolicy: spec.concurrencyPolicy ?? 'Allow',
        suspend: spec.suspend ?? false,
        successfulJobsHistoryLimit: spec.successfulJobsHistoryLimit ?? 3,
        failedJobsHistoryLimit: spec.failedJobsHistoryLimit ?? 1,
        jobTemplate: { ...spec.jobTemplate, spec: defaultJobSpec(spec.jobTemplate.spec) },
      },
    };
  },
  columns: [
    { header: 'SCHEDULE', value: (o) => asCronJob(o).spec.schedule },
    { header: 'TIMEZONE', value: (o) => asCronJob(o).spec.timeZone ?? '<none>' },
    { header: 'SUSPEND', value: (o) => (asCronJob(o).spec.suspend === true ? 'True' : 'False') },
    { header: 'ACTIVE', value: (o) => String(asCronJob(o).status?.active?.length ?? 0) },
    {
      header: 'LAST SCHEDULE',
      value: (o, now) => {
        const last = asCronJob(o).status?.lastScheduleTime;
        return last === undefined ? '<none>' : ageOf(last, now);
      },
    },
  ],
  wideColumns: containerColumns((o) => asCronJob(o).spec.jobTemplate.spec),
};
