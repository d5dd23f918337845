import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CronJob, Job } from '../batch.js';
import { CRONJOB_KIND, JOB_KIND } from './batch.js';
import type { KindInfo } from './kind.js';

const NOW = Date.parse('2026-01-01T01:00:00Z');
const cells = (info: KindInfo, o: Job | CronJob, wide = false): string[] =>
  [...info.columns, ...(wide ? (info.wideColumns ?? []) : [])].map((c) => c.value(o, NOW));
const job = (spec: Partial<Job['spec']>, status: NonNullable<Job['status']>): Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'pi', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'busybox' }] } }, ...spec },
  status,
});

test('get jobs: STATUS from conditions, COMPLETIONS forms, DURATION; wide: containers, images, selector', () => {
  assert.deepEqual(
    JOB_KIND.columns.map((c) => c.header),
    ['STATUS', 'COMPLETIONS', 'DURATION'],
  );
  const complete = job(
    { completions: 3 },
    {
      succeeded: 3,
      startTime: '2026-01-01T00:00:00Z',
      completionTime: '2026-01-01T00:00:40Z',
      conditions: [
        { type: 'SuccessCriteriaMet', status: 'True' },
        { type: 'Complete', status: 'True' },
      ],
    },
  );
  assert.deepEqual(cells(JOB_KIND, complete), ['Complete', '3/3', '40s']);
  assert.deepEqual(cells(JOB_KIND, job({ parallelism: 2 }, { startTime: '2026-01-01T00:59:00Z', active: 2 })), ['Running', '0/1 of 2', '60s']);
  const selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } };
  assert.deepEqual(cells(JOB_KIND, job({ selector }, { conditions: [{ type: 'FailureTarget', status: 'True' }] }), true), [
    'FailureTarget',
    '0/1',
    '',
    'pi',
    'busybox',
    'batch.kubernetes.io/controller-uid=u',
  ]);
  assert.equal(cells(JOB_KIND, job({ suspend: true }, { conditions: [{ type: 'Suspended', status: 'True' }] }))[0], 'Suspended');
  assert.equal(cells(JOB_KIND, job({}, { conditions: [{ type: 'Failed', status: 'True' }] }))[0], 'Failed');
});

test('get cronjobs: SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE, <none> when unset', () => {
  const cj: CronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hello', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } } },
  };
  assert.deepEqual(
    CRONJOB_KIND.columns.map((c) => c.header),
    ['SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE'],
  );
  assert.deepEqual(cells(CRONJOB_KIND, cj), ['*/5 * * * *', '<none>', 'False', '0', '<none>']);
  const later: CronJob = {
    ...cj,
    spec: { ...cj.spec, timeZone: 'Europe/Paris', suspend: true },
    status: { active: [{ name: 'hello-1' }], lastScheduleTime: '2026-01-01T00:55:00Z' },
  };
  assert.deepEqual(cells(CRONJOB_KIND, later), ['*/5 * * * *', 'Europe/Paris', 'True', '1', '5m']);
});

test('defaults: one completion and one pod unless told; the selector and labels generated from the uid', () => {
  const applied = JOB_KIND.defaults({ ...job({}, {}), metadata: { name: 'pi', uid: 'u1' } }) as Job;
  assert.equal(applied.spec.completions, 1);
  assert.equal(applied.spec.parallelism, 1);
  assert.equal(applied.spec.backoffLimit, 6);
  assert.deepEqual(applied.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } });
  assert.equal(applied.spec.template.metadata?.labels?.['batch.kubernetes.io/job-name'], 'pi');
  const queue = JOB_KIND.defaults({ ...job({ parallelism: 3 }, {}), metadata: { name: 'q' } }) as Job;
  assert.equal(queue.spec.completions, undefined, 'a work queue (parallelism without completions) keeps no completions');
  const cj = CRONJOB_KIND.defaults({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c' },
    spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c' }] } } } } },
  }) as CronJob;
  assert.deepEqual([cj.spec.concurrencyPolicy, cj.spec.suspend, cj.spec.successfulJobsHistoryLimit, cj.spec.failedJobsHistoryLimit], ['Allow', false, 3, 1]);
});
