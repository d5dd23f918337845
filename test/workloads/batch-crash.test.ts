// Job and CronJob controllers across daemon crashes: pods that finish while no daemon runs are counted once; a
// daemon killed between creating a pod (or a CronJob's Job) and recording it neither loses nor duplicates it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeaks, waitFor } from '../helpers/leaks.js';
import { BatchTest, conditionTypes, cronJobManifest, isFinished, jobManifest } from './job-helpers.js';

test('a daemon killed while a Job runs: pods that finished meanwhile are counted once', { timeout: 180_000 }, async (t) => {
  const b = await BatchTest.start(t);
  await b.apply('job.yaml', jobManifest('survivor', 'sleep 3; exit 0', 'completions: 3\nparallelism: 2'));
  await waitFor(async () => (await b.job('survivor')).status?.active === 2, { timeoutMs: 60_000, description: 'two pods of survivor to run' });
  await b.killAndRestart();
  await waitFor(async () => isFinished(await b.job('survivor')), { timeoutMs: 90_000, intervalMs: 250, description: 'survivor to finish after the restart' });
  const job = await b.job('survivor');
  assert.deepEqual(conditionTypes(job), ['SuccessCriteriaMet', 'Complete']);
  assert.equal(job.status?.succeeded, 3);
  assert.equal(job.status?.failed, undefined);
  assert.equal((await b.podsOf(job)).length, 3, 'no pod was created twice');
  await b.cli('delete', 'job', 'survivor');
  await waitFor(async () => (await b.pods()).length === 0, { timeoutMs: 60_000, description: 'the pods of survivor to be deleted' });
  await b.daemon.stop();
  await assertNoLeaks(b.roots.config);
});

test('killed right after creating a pod: the untracked pod is adopted, not duplicated', { timeout: 180_000 }, async (t) => {
  const b = await BatchTest.start(t, { PEAPOD_FAULT: 'job.pod-created' });
  await b.apply('job.yaml', jobManifest('adopted', 'sleep 2; exit 0', 'completions: 2\nparallelism: 2'));
  await b.restartAfterFault({});
  await waitFor(async () => isFinished(await b.job('adopted')), { timeoutMs: 90_000, intervalMs: 250, description: 'adopted to finish after the restart' });
  const job = await b.job('adopted');
  assert.equal(job.status?.succeeded, 2);
  assert.equal((await b.podsOf(job)).length, 2, 'two pods: the one created before the crash and one more');
  await b.cli('delete', 'job', 'adopted');
  await waitFor(async () => (await b.pods()).length === 0, { timeoutMs: 60_000, description: 'the pods of adopted to be deleted' });
  await b.daemon.stop();
  await assertNoLeaks(b.roots.config);
});

test('killed right after a CronJob created its Job: the Job is recorded, the time is not run twice', { timeout: 180_000 }, async (t) => {
  // The controllers' clock starts at the same instant in both daemons and runs 10x: the restarted daemon lives through
  // the crashed run's minute a second time.
  const clock = { PEAPOD_CONTROLLER_CLOCK: '2026-01-01T23:59:57Zx10' };
  const b = await BatchTest.start(t, { ...clock, PEAPOD_FAULT: 'cronjob.job-created' });
  await b.apply('cronjob.yaml', cronJobManifest('minutely', '* * * * *', 'exit 0', ''));
  await b.restartAfterFault(clock);
  const [crashed, ...others] = await b.jobs();
  assert.ok(crashed, 'the Job created before the crash exists');
  assert.deepEqual(others, []);
  const minute = Number(crashed.metadata.name.replace('minutely-', '')) * 60_000;
  await waitFor(async () => (await b.cronJob('minutely')).status?.lastScheduleTime !== undefined, {
    timeoutMs: 60_000,
    description: 'minutely to record a run',
  });
  const status = (await b.cronJob('minutely')).status;
  assert.equal(status?.lastScheduleTime, new Date(minute).toISOString().replace('.000Z', 'Z'), 'the first run recorded is the crashed one');
  await b.cli('delete', 'cronjob', 'minutely');
  await waitFor(async () => (await b.jobs()).length === 0 && (await b.pods()).length === 0, {
    timeoutMs: 60_000,
    description: 'the Jobs and pods of minutely to be deleted',
  });
  await b.daemon.stop();
  await assertNoLeaks(b.roots.config);
});
