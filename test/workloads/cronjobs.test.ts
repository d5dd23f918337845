// CronJobs with real runc on an injected controller clock: it starts at 2026-01-01T23:50:00Z and runs twenty times
// as fast (PEAPOD_CONTROLLER_CLOCK), so a minute of schedule passes in three seconds while the Jobs' pods run for
// real. Expected times are worked out from the CronJobs' creation on that clock, not from the wall clock, so a slow
// machine only makes the test wait longer. Schedules and names, the time zone, concurrencyPolicy
// Allow/Forbid/Replace, history limits, no leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectDescribeResult } from '../../src/api/routes/objects.js';
import type { Job } from '../../src/kube/batch.js';
import { assertNoLeaks, waitFor } from '../helpers/leaks.js';
import { BatchTest, conditionTypes, cronJobManifest } from './job-helpers.js';

const START = '2026-01-01T23:50:00Z';
const MINUTE = 60_000;
/** How far ahead of a CronJob's creation the Tokyo run is put: room for one more apply on a loaded machine. */
const TOKYO_LEAD_MINUTES = 4;
/** The 'HH:MM' wall-clock time of an instant in a zone, as cron fields. */
const cronTimeIn = (ms: number, zone: string): { hour: number; minute: number } => {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric' }).formatToParts(new Date(ms));
  return { hour: Number(parts.find((p) => p.type === 'hour')?.value), minute: Number(parts.find((p) => p.type === 'minute')?.value) };
};
const forever = "trap 'exit 0' TERM; sleep 3600 & wait";

test('CronJobs on an injected clock: schedule, time zone, Forbid, Replace, history limits', { timeout: 600_000 }, async (t) => {
  const b = await BatchTest.start(t, { PEAPOD_CONTROLLER_CLOCK: `${START}x20` });
  await b.apply(
    'cronjobs.yaml',
    [
      cronJobManifest('every', '*/2 * * * *', 'exit 0', 'successfulJobsHistoryLimit: 2'),
      cronJobManifest('broken', '*/2 * * * *', 'exit 1', 'failedJobsHistoryLimit: 1', 'backoffLimit: 0'),
      cronJobManifest('forbid', '* * * * *', forever, 'concurrencyPolicy: Forbid'),
      cronJobManifest('replace', '* * * * *', forever, 'concurrencyPolicy: Replace'),
    ].join('---\n'),
  );
  // The Tokyo CronJob runs once, a few minutes after now on the controllers' clock, at a time given in Tokyo's.
  const created = Date.parse((await b.cronJob('every')).metadata.creationTimestamp ?? '');
  const tokyoAt = (Math.floor(created / MINUTE) + TOKYO_LEAD_MINUTES) * MINUTE;
  const tokyo = cronTimeIn(tokyoAt, 'Asia/Tokyo');
  await b.apply('tokyo.yaml', cronJobManifest('tokyo', `${tokyo.minute} ${tokyo.hour} * * *`, 'exit 0', 'timeZone: Asia/Tokyo'));
  // Each CronJob is deleted once its part is checked (its Jobs and their pods go with it): fewer pods churning on a
  // shared machine.
  const done = (name: string): Promise<string> => b.cli('delete', 'cronjob', name);
  const jobsOf = async (name: string): Promise<Job[]> =>
    (await b.jobs()).filter((j) => j.metadata.ownerReferences?.some((r) => r.kind === 'CronJob' && r.name === name));
  /** The messages of a CronJob's events with this reason, repeated events counted. */
  const events = async (name: string, reason: string): Promise<string[]> =>
    (await b.api.call<ObjectDescribeResult>('GET', `/v1/namespaces/default/objects/cronjobs/${name}/describe`)).events
      .filter((e) => e.reason === reason)
      .flatMap((e) => Array.from({ length: e.count }, () => e.message));

  await t.test('a schedule runs Jobs named <cronjob>-<minutes since epoch>; only the newest 2 successful ones stay', async () => {
    await waitFor(async () => (await events('every', 'SuccessfulCreate')).length >= 4 && (await events('every', 'SuccessfulDelete')).length >= 1, {
      timeoutMs: 120_000,
      intervalMs: 250,
      description: 'four runs of every and a history clean-up',
    });
    const runs = (await events('every', 'SuccessfulCreate')).map((m) => Number(/^Created job every-(\d+)$/.exec(m)?.[1]));
    // Every other minute, from the first even minute after the CronJob's creation on the controllers' clock.
    const firstRun = Math.floor(created / (2 * MINUTE)) * 2 + 2;
    assert.equal(runs[0], firstRun);
    for (const [i, minute] of runs.entries()) assert.equal(minute, firstRun + 2 * i);
    await waitFor(async () => (await jobsOf('every')).filter((j) => conditionTypes(j).includes('Complete')).length <= 2, {
      timeoutMs: 30_000,
      description: 'at most two completed Jobs of every',
    });
    const cj = await b.cronJob('every');
    assert.ok(cj.status?.lastSuccessfulTime, 'lastSuccessfulTime is set');
    const job = (await jobsOf('every')).at(-1);
    assert.equal(
      job?.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'],
      new Date(Number(job?.metadata.name.split('-')[1]) * 60_000).toISOString().replace('.000Z', 'Z'),
    );
    const table = await b.cli('get', 'cronjobs');
    assert.match(table, /^NAME +SCHEDULE +TIMEZONE +SUSPEND +ACTIVE +LAST SCHEDULE +AGE$/m);
    assert.match(table, /^every +\*\/2 \* \* \* \* +<none> +False +\d+ +/m);
    assert.match(table, /^tokyo +\d+ \d+ \* \* \* +Asia\/Tokyo +False /m);
    const described = await b.cli('describe', 'cronjob', 'every');
    assert.match(described, /^Schedule: +\*\/2 \* \* \* \*$/m);
    assert.match(described, /^Concurrency Policy: +Allow$/m);
    assert.match(described, /^Successful Job History Limit: +2$/m);
    assert.match(described, /Normal +SuccessfulCreate .* Created job every-\d+/);
    await done('every');
  });

  await t.test('failedJobsHistoryLimit 1: one failed Job stays', async () => {
    await waitFor(async () => (await events('broken', 'SuccessfulDelete')).length >= 1, {
      timeoutMs: 60_000,
      description: 'a failed Job of broken to be cleaned up',
    });
    await waitFor(async () => (await jobsOf('broken')).filter((j) => conditionTypes(j).includes('Failed')).length <= 1, {
      timeoutMs: 30_000,
      description: 'at most one failed Job of broken',
    });
    await done('broken');
  });

  await t.test('spec.timeZone: a time in Tokyo runs at that instant; the annotation is in Tokyo time', async () => {
    const job = await waitFor(async () => (await jobsOf('tokyo'))[0], { timeoutMs: 60_000, description: 'the Tokyo Job' });
    assert.equal(job.metadata.name, `tokyo-${tokyoAt / MINUTE}`);
    const local = new Date(tokyoAt + 9 * 60 * MINUTE).toISOString().slice(0, 19);
    assert.equal(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], `${local}+09:00`);
    // kubectl create job --from=cronjob/...: the template run now, owned by the CronJob.
    assert.equal(await b.cli('create', 'job', 'tokyo-manual', '--from=cronjob/tokyo'), 'job.batch/tokyo-manual created\n');
    const manual = await b.job('tokyo-manual');
    assert.equal(manual.metadata.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.deepEqual(
      manual.metadata.ownerReferences?.map((r) => `${r.kind}/${r.name}`),
      ['CronJob/tokyo'],
    );
    await waitFor(async () => conditionTypes(await b.job('tokyo-manual')).includes('Complete'), { timeoutMs: 60_000, description: 'tokyo-manual to complete' });
    await done('tokyo');
  });

  await t.test('Forbid: the running Job stays the only one; later times are skipped', async () => {
    await waitFor(async () => (await events('forbid', 'JobAlreadyActive')).length >= 2, { timeoutMs: 60_000, description: 'forbid to skip twice' });
    const jobs = await jobsOf('forbid');
    assert.equal(jobs.length, 1);
    assert.deepEqual(
      (await b.cronJob('forbid')).status?.active?.map((a) => a.name),
      [jobs[0]?.metadata.name],
    );
    await done('forbid');
  });

  await t.test('Replace: each run deletes the running Job and starts a new one', async () => {
    await waitFor(async () => (await events('replace', 'SuccessfulCreate')).length >= 3, { timeoutMs: 60_000, description: 'three runs of replace' });
    await waitFor(async () => (await jobsOf('replace')).length === 1, { timeoutMs: 30_000, description: 'one Job of replace left' });
    assert.ok((await events('replace', 'SuccessfulDelete')).length >= 2);
    assert.equal((await b.cronJob('replace')).status?.active?.length, 1);
    await done('replace');
  });

  await waitFor(async () => (await b.jobs()).length === 0 && (await b.pods()).length === 0, {
    timeoutMs: 60_000,
    description: 'every Job and pod to be deleted',
  });
  await b.daemon.stop();
  await assertNoLeaks(b.roots.config);
});
