import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CronJob, CronJobSpec, Job } from '../../kube/batch.js';
import { TimeZone } from '../../kube/cron/zone.js';
import { syncCronJob, type CronJobSyncPlan } from './sync.js';

const utc = new TimeZone('UTC');
const at = (iso: string): number => Date.parse(iso);

function cronJob(spec: Partial<CronJobSpec>, status?: CronJob['status']): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hello', namespace: 'default', uid: 'cj-uid', creationTimestamp: '2026-01-01T00:00:30Z' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { metadata: { labels: { app: 'hello' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c' }] } } } },
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

function job(name: string, state: 'running' | 'complete' | 'failed', startTime: string): Job {
  const conditions =
    state === 'complete'
      ? [{ type: 'Complete' as const, status: 'True' as const }]
      : state === 'failed'
        ? [{ type: 'Failed' as const, status: 'True' as const }]
        : [];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { template: { spec: { containers: [] } } },
    status: { startTime, conditions, ...(state === 'complete' ? { completionTime: startTime.replace(':00Z', ':30Z') } : {}) },
  };
}

const sync = (cj: CronJob, now: string, jobs: Job[] = []): CronJobSyncPlan => syncCronJob({ cronJob: cj, jobs, now: at(now), localZone: utc });
const reasons = (plan: CronJobSyncPlan): string[] => plan.events.map((e) => e.reason);

test('waits for the next scheduled time, then creates <name>-<minutes since epoch> with the template and annotation', () => {
  let plan = sync(cronJob({}), '2026-01-01T00:03:00Z');
  assert.equal(plan.create, undefined);
  assert.equal(plan.requeueAfterMs, 2 * 60_000 + 100);
  plan = sync(cronJob({}), '2026-01-01T00:05:00.100Z');
  const created = plan.create;
  assert.ok(created);
  assert.equal(created.metadata.name, `hello-${at('2026-01-01T00:05:00Z') / 60_000}`);
  assert.deepEqual(created.metadata.labels, { app: 'hello' });
  assert.equal(created.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-01-01T00:05:00Z');
  assert.equal(plan.status.lastScheduleTime, '2026-01-01T00:05:00Z');
  assert.equal(plan.requeueAfterMs, 5 * 60_000);
  // The same scheduled time is not run twice.
  const again = sync(cronJob({}, { lastScheduleTime: '2026-01-01T00:05:00Z' }), '2026-01-01T00:06:00Z');
  assert.equal(again.create, undefined);
});

test('spec.timeZone: wall-clock schedule in the zone, the annotation in that zone', () => {
  const cj = cronJob({ schedule: '0 9 * * *', timeZone: 'Asia/Tokyo' });
  const plan = sync(cj, '2026-01-02T00:00:01Z');
  assert.equal(plan.create?.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-01-02T09:00:00+09:00');
  assert.equal(plan.status.lastScheduleTime, '2026-01-02T00:00:00Z');
  const bad = sync(cronJob({ timeZone: 'Mars/Olympus' }), '2026-01-02T00:00:01Z');
  assert.deepEqual([bad.create, reasons(bad)], [undefined, ['UnknownTimeZone']]);
});

test('concurrencyPolicy: Allow runs alongside, Forbid skips, Replace deletes the running Job', () => {
  const running = job('hello-old', 'running', '2026-01-01T00:00:00Z');
  const status = { active: [{ kind: 'Job', name: 'hello-old', namespace: 'default', uid: 'uid-hello-old' }], lastScheduleTime: '2026-01-01T00:00:00Z' };
  const allow = sync(cronJob({}, status), '2026-01-01T00:05:01Z', [running]);
  assert.ok(allow.create);
  assert.deepEqual(allow.delete, []);
  const forbid = sync(cronJob({ concurrencyPolicy: 'Forbid' }, status), '2026-01-01T00:05:01Z', [running]);
  assert.equal(forbid.create, undefined);
  assert.deepEqual(reasons(forbid), ['JobAlreadyActive']);
  assert.equal(forbid.requeueAfterMs, 5 * 60_000 - 1000 + 100, 'the next slot after the skipped one');
  const replace = sync(cronJob({ concurrencyPolicy: 'Replace' }, status), '2026-01-01T00:05:01Z', [running]);
  assert.ok(replace.create);
  assert.deepEqual(replace.delete, [{ name: 'hello-old', uid: 'uid-hello-old' }]);
  assert.equal(replace.status.active, undefined);
  assert.deepEqual(reasons(replace), ['SuccessfulDelete']);
});

test('startingDeadlineSeconds: a start missed by more than the deadline is skipped', () => {
  const late = sync(cronJob({ startingDeadlineSeconds: 10 }), '2026-01-01T00:05:30Z');
  assert.equal(late.create, undefined);
  assert.equal(late.requeueAfterMs, 4 * 60_000 + 30_000 + 100);
  const inTime = sync(cronJob({ startingDeadlineSeconds: 60 }), '2026-01-01T00:05:30Z');
  assert.ok(inTime.create);
});

test('more than 100 missed start times: a warning, and the most recent one runs', () => {
  const plan = sync(cronJob({ schedule: '* * * * *' }), '2026-01-01T03:00:10Z');
  assert.deepEqual(reasons(plan), ['TooManyMissedTimes']);
  assert.equal(plan.status.lastScheduleTime, '2026-01-01T03:00:00Z');
  const few = sync(cronJob({ schedule: '* * * * *' }), '2026-01-01T01:00:10Z');
  assert.deepEqual(reasons(few), []);
  assert.equal(few.status.lastScheduleTime, '2026-01-01T01:00:00Z');
});

test('history limits: the oldest finished Jobs beyond 3 successful and 1 failed are deleted', () => {
  const jobs = [
    job('s1', 'complete', '2026-01-01T00:01:00Z'),
    job('s2', 'complete', '2026-01-01T00:02:00Z'),
    job('s3', 'complete', '2026-01-01T00:03:00Z'),
    job('s4', 'complete', '2026-01-01T00:04:00Z'),
    job('f1', 'failed', '2026-01-01T00:01:00Z'),
    job('f2', 'failed', '2026-01-01T00:02:00Z'),
    job('r1', 'running', '2026-01-01T00:00:00Z'),
  ];
  const status = { active: [{ name: 'r1', uid: 'uid-r1' }], lastScheduleTime: '2026-01-01T00:04:00Z' };
  const plan = sync(cronJob({ suspend: true }, status), '2026-01-01T00:04:30Z', jobs);
  assert.deepEqual(
    plan.delete.map((d) => d.name),
    ['s1', 'f1'],
  );
  assert.equal(plan.status.lastSuccessfulTime, '2026-01-01T00:04:30Z');
  const custom = sync(cronJob({ suspend: true, successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 2 }, status), '2026-01-01T00:04:30Z', jobs);
  assert.deepEqual(
    custom.delete.map((d) => d.name),
    ['s1', 's2', 's3', 's4'],
  );
});

test('status.active follows the Jobs: finished ones leave, missing ones leave, a created-but-unrecorded one is adopted', () => {
  const done = job('hello-1', 'complete', '2026-01-01T00:00:00Z');
  const status = {
    active: [
      { name: 'hello-1', uid: 'uid-hello-1' },
      { name: 'gone', uid: 'uid-gone' },
    ],
    lastScheduleTime: '2026-01-01T00:00:00Z',
  };
  const plan = sync(cronJob({ suspend: true }, status), '2026-01-01T00:01:00Z', [done]);
  assert.equal(plan.status.active, undefined);
  assert.deepEqual(reasons(plan), ['SawCompletedJob', 'MissingJob']);
  assert.equal(plan.requeueAfterMs, undefined, 'suspended: nothing to wait for');
  const name = `hello-${at('2026-01-01T00:05:00Z') / 60_000}`;
  const orphan = job(name, 'running', '2026-01-01T00:05:00Z');
  const adopted = sync(cronJob({}), '2026-01-01T00:05:02Z', [orphan]);
  assert.equal(adopted.create, undefined);
  assert.deepEqual(
    adopted.status.active?.map((a) => a.name),
    [name],
  );
  assert.equal(adopted.status.lastScheduleTime, '2026-01-01T00:05:00Z');
});
