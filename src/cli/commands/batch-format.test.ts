import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CronJob, Job } from '../../kube/batch.js';
import { cronJobHeaders, cronJobRow, describeCronJob, describeJob, jobHeaders, jobRow } from './batch-format.js';

const NOW = Date.parse('2026-01-01T01:00:00Z');
const job = (spec: Partial<Job['spec']>, status: NonNullable<Job['status']>): Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'pi', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'busybox' }] } }, ...spec },
  status,
});

test('get jobs: kubectl columns, STATUS from conditions, COMPLETIONS forms, DURATION', () => {
  assert.deepEqual(jobHeaders(false, false), ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
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
  assert.deepEqual(jobRow(complete, false, false, NOW), ['pi', 'Complete', '3/3', '40s', '60m']);
  const running = job({ parallelism: 2 }, { startTime: '2026-01-01T00:59:00Z', active: 2 });
  assert.deepEqual(jobRow(running, false, false, NOW), ['pi', 'Running', '0/1 of 2', '60s', '60m']);
  const failing = job({}, { conditions: [{ type: 'FailureTarget', status: 'True' }] });
  assert.deepEqual(jobRow(failing, true, true, NOW), ['default', 'pi', 'FailureTarget', '0/1', '', '60m', 'pi', 'busybox', '<none>']);
  assert.equal(jobRow(job({ suspend: true }, { conditions: [{ type: 'Suspended', status: 'True' }] }), false, false, NOW)[1], 'Suspended');
});

test('get cronjobs: kubectl columns with <none> for no zone and no schedule yet', () => {
  const cj: CronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hello', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } } },
  };
  assert.deepEqual(cronJobHeaders(false, false), ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']);
  assert.deepEqual(cronJobRow(cj, false, false, NOW), ['hello', '*/5 * * * *', '<none>', 'False', '0', '<none>', '60m']);
  const later: CronJob = {
    ...cj,
    spec: { ...cj.spec, timeZone: 'Europe/Paris' },
    status: { active: [{ name: 'hello-1' }], lastScheduleTime: '2026-01-01T00:55:00Z' },
  };
  assert.deepEqual(cronJobRow(later, false, false, NOW), ['hello', '*/5 * * * *', 'Europe/Paris', 'False', '1', '5m', '60m']);
  const text = describeCronJob(later, [], NOW);
  assert.match(text, /^Schedule: +\*\/5 \* \* \* \*$/m);
  assert.match(text, /^Active Jobs: +hello-1$/m);
  assert.match(text, /^Events: +<none>$/m);
});

test('describe job: counts, conditions and events', () => {
  const j = job(
    { completions: 2, completionMode: 'Indexed' },
    { active: 1, ready: 1, succeeded: 1, failed: 2, completedIndexes: '1', startTime: '2026-01-01T00:00:00Z' },
  );
  const text = describeJob(
    j,
    [
      {
        type: 'Normal',
        reason: 'SuccessfulCreate',
        message: 'Created pod: pi-0-abcde',
        firstTimestamp: '2026-01-01T00:59:50Z',
        lastTimestamp: '2026-01-01T00:59:50Z',
        count: 1,
      },
    ],
    NOW,
  );
  assert.match(text, /^Pods Statuses: +1 Active \(1 Ready\) \/ 1 Succeeded \/ 2 Failed$/m);
  assert.match(text, /^Completed Indexes: 1$/m);
  assert.match(text, /Normal +SuccessfulCreate +10s +job-controller +Created pod: pi-0-abcde/);
});
