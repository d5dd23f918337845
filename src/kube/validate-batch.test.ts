import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CronJob, Job, JobSpec } from './batch.js';
import type { Finding } from './schema.js';
import { prepareJob, validateCronJob, validateJobSpec } from './validate-batch.js';

const template: JobSpec['template'] = { spec: { restartPolicy: 'Never', containers: [{ name: 'c' }] } };
const jobErrors = (spec: Partial<JobSpec>): string[] => {
  const errors: Finding[] = [];
  validateJobSpec({ template, ...spec }, 'spec', errors);
  return errors.map((e) => `${e.path}: ${e.message}`);
};
const cronErrors = (name: string, spec: Partial<CronJob['spec']>): string[] => {
  const errors: Finding[] = [];
  const cj: CronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template } }, ...spec },
  };
  validateCronJob(cj, errors);
  return errors.map((e) => `${e.path}: ${e.message}`);
};

test('Job spec rules with field paths', () => {
  assert.deepEqual(jobErrors({}), []);
  assert.deepEqual(jobErrors({ template: { spec: { containers: [{ name: 'c' }] } } }), [
    'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
  ]);
  assert.deepEqual(jobErrors({ completionMode: 'Indexed' }), ['spec.completions: Required value: when completion mode is Indexed']);
  assert.deepEqual(jobErrors({ podReplacementPolicy: 'Failed' } as Partial<JobSpec>), [
    'spec.podReplacementPolicy: Unsupported value: "Failed": supported values: "TerminatingOrFailed"',
  ]);
  assert.deepEqual(jobErrors({ backoffLimit: -1, activeDeadlineSeconds: 0 }), [
    'spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0',
    'spec.activeDeadlineSeconds: Invalid value: 0: must be greater than 0',
  ]);
});

test('CronJob rules: schedule (robfig text), TZ in schedule, zone, policy, name length', () => {
  assert.deepEqual(cronErrors('ok', { timeZone: 'Europe/Paris' }), []);
  assert.deepEqual(cronErrors('ok', { schedule: '61 * * * *' }), ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61']);
  assert.deepEqual(cronErrors('ok', { schedule: 'CRON_TZ=UTC * * * * *' }), [
    'spec.schedule: Invalid value: "CRON_TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
  ]);
  assert.deepEqual(cronErrors('ok', { timeZone: 'Nowhere/Land' }), ['spec.timeZone: Invalid value: "Nowhere/Land": unknown time zone Nowhere/Land']);
  assert.deepEqual(cronErrors('ok', { concurrencyPolicy: 'Sometimes' as 'Allow' }), [
    'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
  ]);
  assert.deepEqual(cronErrors('x'.repeat(53), {}), [`metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`]);
});

test('a created Job gets the generated selector and labels; ', () => {
  const job: Job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', uid: 'u1' }, spec: { template } };
  const prepared = prepareJob(job, 'u1');
  assert.deepEqual(prepared.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } });
  assert.deepEqual(prepared.spec.template.metadata?.labels, {
    'batch.kubernetes.io/controller-uid': 'u1',
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': 'u1',
    'job-name': 'pi',
  });
});
