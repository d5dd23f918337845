// batch/v1 Job and CronJob. The base's shapes and checks: the wl-jobs work owns this file and fills in
// the specific rules (completions, parallelism, backoffLimit, schedule syntax, ...).
import { SHAPES, type Finding } from '../schema.js';
import { defaultPodSpec } from '../defaults.js';
import { LABEL_SELECTOR_SHAPE, POD_TEMPLATE_SHAPE, validatePodTemplate } from './template.js';
import { ageOf, isRecord, text, type ApiObject, type KindInfo } from './kind.js';
import type { PodTemplateSpec } from './apps.js';

const { str, int, nonNeg, bool, obj, any, metadata } = SHAPES;

const JOB_SPEC_FIELDS = {
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
};
const JOB_SPEC = obj(JOB_SPEC_FIELDS, ['template']);

const statusOf = (o: ApiObject): Record<string, unknown> => (isRecord(o.status) ? o.status : {});
const specOf = (o: ApiObject): Record<string, unknown> => (isRecord(o.spec) ? o.spec : {});

function checkJobTemplate(spec: Record<string, unknown>, path: string, errors: Finding[]): void {
  const template = isRecord(spec['template']) ? spec['template'] : {};
  validatePodTemplate(template, `${path}.template`, errors);
  const policy = isRecord(template['spec']) ? template['spec']['restartPolicy'] : undefined;
  if (policy !== 'OnFailure' && policy !== 'Never')
    errors.push({ path: `${path}.template.spec.restartPolicy`, message: `Required value: valid values: "OnFailure", "Never"` });
}

const defaultJobSpec = (spec: Record<string, unknown>): Record<string, unknown> => {
  const template = spec['template'] as PodTemplateSpec;
  return {
    ...spec,
    parallelism: spec['parallelism'] ?? 1,
    backoffLimit: spec['backoffLimit'] ?? 6,
    completionMode: spec['completionMode'] ?? 'NonIndexed',
    suspend: spec['suspend'] ?? false,
    template: { ...template, spec: defaultPodSpec(template.spec) },
  };
};

export const JOB_KIND: KindInfo = {
  kind: 'Job',
  apiVersion: 'batch/v1',
  plural: 'jobs',
  singular: 'job',
  shortNames: [],
  namespaced: true,
  applyOrder: 70,
  shape: obj({ apiVersion: str, kind: str, metadata, spec: JOB_SPEC, status: any }, ['metadata', 'spec']),
  validate: (value, errors) => checkJobTemplate(value['spec'] as Record<string, unknown>, 'spec', errors),
  defaults: (object) => ({ ...object, spec: defaultJobSpec(specOf(object)) }),
  columns: [
    {
      header: 'STATUS',
      value: (o) => {
        const conditions = (statusOf(o)['conditions'] ?? []) as { type: string; status: string }[];
        const done = conditions.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
        return done ? done.type : 'Running';
      },
    },
    { header: 'COMPLETIONS', value: (o) => `${Number(statusOf(o)['succeeded'] ?? 0)}/${Number(specOf(o)['completions'] ?? 1)}` },
    {
      header: 'DURATION',
      value: (o, now) => {
        const start = statusOf(o)['startTime'];
        const end = statusOf(o)['completionTime'];
        return typeof start === 'string' ? ageOf(start, typeof end === 'string' ? Date.parse(end) : now) : '';
      },
    },
  ],
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
    checkJobTemplate(isRecord(jobTemplate['spec']) ? jobTemplate['spec'] : {}, 'spec.jobTemplate.spec', errors);
  },
  defaults: (object) => {
    const spec = specOf(object);
    const jobTemplate = spec['jobTemplate'] as Record<string, unknown>;
    return {
      ...object,
      spec: {
        ...spec,
        concurrencyPolicy: spec['concurrencyPolicy'] ?? 'Allow',
        suspend: spec['suspend'] ?? false,
        successfulJobsHistoryLimit: spec['successfulJobsHistoryLimit'] ?? 3,
        failedJobsHistoryLimit: spec['failedJobsHistoryLimit'] ?? 1,
        jobTemplate: { ...jobTemplate, spec: defaultJobSpec(jobTemplate['spec'] as Record<string, unknown>) },
      },
    };
  },
  columns: [
    { header: 'SCHEDULE', value: (o) => text(specOf(o)['schedule'], '') },
    { header: 'TIMEZONE', value: (o) => text(specOf(o)['timeZone'], '<none>') },
    { header: 'SUSPEND', value: (o) => text(specOf(o)['suspend'], 'false').replace(/^./, (c) => c.toUpperCase()) },
    { header: 'ACTIVE', value: (o) => String(((statusOf(o)['active'] ?? []) as unknown[]).length) },
    {
      header: 'LAST SCHEDULE',
      value: (o, now) => {
        const last = statusOf(o)['lastScheduleTime'];
        return typeof last === 'string' ? ageOf(last, now) : '<none>';
      },
    },
  ],
};
