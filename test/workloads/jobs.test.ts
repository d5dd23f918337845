// Jobs with real runc: completions and parallelism, the pod failure back-off up to backoffLimit,
// activeDeadlineSeconds, Indexed completion, ttlSecondsAfterFinished, OnFailure restarts, and nothing left behind. The controllers'
// clock runs ten times as fast (PEAPOD_CONTROLLER_CLOCK=x10) so the back-off's 10 s and 20 s take 1 s and 2 s; the
// pods run in real time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeaks, waitFor } from '../helpers/leaks.js';
import { BatchTest, conditionTypes, isFinished, jobManifest } from './job-helpers.js';

const SCALE = 10;

test('Jobs: completions/parallelism, back-off to backoffLimit, deadline, Indexed, TTL', { timeout: 300_000 }, async (t) => {
  const b = await BatchTest.start(t, { PEAPOD_CONTROLLER_CLOCK: `x${SCALE}` });
  await b.apply(
    'jobs.yaml',
    [
      jobManifest('three', 'exit 0', 'completions: 3\nparallelism: 2'),
      jobManifest('failing', 'exit 1', 'backoffLimit: 2'),
      jobManifest('deadline', "trap 'exit 0' TERM; sleep 3600 & wait", 'activeDeadlineSeconds: 30'),
      jobManifest('indexed', 'echo index=$JOB_COMPLETION_INDEX host=$(hostname)', 'completions: 3\nparallelism: 3\ncompletionMode: Indexed'),
      jobManifest('short-lived', 'exit 0', 'ttlSecondsAfterFinished: 20'),
      jobManifest('restarts', 'exit 1', 'backoffLimit: 1', 'OnFailure'),
    ].join('---\n'),
  );

  const finished = async (name: string): Promise<void> => {
    await waitFor(async () => isFinished(await b.job(name)), { timeoutMs: 120_000, intervalMs: 250, description: `job ${name} to finish` });
  };

  await t.test('completions 3, parallelism 2: three pods, never more than two at once, Complete', async () => {
    let most = 0;
    await waitFor(
      async () => {
        const job = await b.job('three');
        most = Math.max(most, job.status?.active ?? 0);
        return isFinished(job);
      },
      { timeoutMs: 120_000, intervalMs: 100, description: 'job three to finish' },
    );
    const job = await b.job('three');
    assert.deepEqual(conditionTypes(job), ['SuccessCriteriaMet', 'Complete']);
    assert.equal(job.status?.succeeded, 3);
    assert.ok(job.status?.completionTime);
    assert.ok(most <= 2, `at most parallelism pods active (saw ${most})`);
    const pods = await b.podsOf(job);
    assert.equal(pods.length, 3);
    for (const v of pods) {
      assert.equal(v.pod.status.phase, 'Succeeded');
      assert.match(v.pod.metadata.name, /^three-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.equal(v.pod.metadata.labels?.['batch.kubernetes.io/job-name'], 'three');
      assert.equal(v.pod.metadata.labels?.['batch.kubernetes.io/controller-uid'], job.metadata.uid);
    }
    const table = await b.cli('get', 'jobs');
    assert.match(table, /^NAME +STATUS +COMPLETIONS +DURATION +AGE$/m);
    assert.match(table, /^three +Complete +3\/3 /m);
  });

  await t.test('failing pods: re-created after 10 s then 20 s (controller time), Failed with BackoffLimitExceeded', async () => {
    await finished('failing');
    const job = await b.job('failing');
    assert.deepEqual(conditionTypes(job), ['FailureTarget', 'Failed']);
    assert.equal(job.status?.conditions?.at(-1)?.reason, 'BackoffLimitExceeded');
    assert.equal(job.status?.failed, 3);
    const pods = await b.podsOf(job);
    assert.equal(pods.length, 3, 'backoffLimit 2: the first pod and two retries');
    const created = pods.map((v) => Date.parse(v.pod.metadata.creationTimestamp ?? ''));
    const finishedAt = pods.map((v) => Date.parse(v.pod.status.containerStatuses?.[0]?.state.terminated?.finishedAt ?? ''));
    // Each retry waited at least its back-off after the previous pod failed: 10 s, then 20 s, on a clock 10x fast.
    for (const [i, wait] of [10_000, 20_000].entries()) {
      const gap = (created[i + 1] ?? 0) - (finishedAt[i] ?? 0);
      assert.ok(gap >= wait / SCALE - 50, `retry ${i + 1} came ${gap} ms after the failure (back-off ${wait / SCALE} ms)`);
    }
    assert.match(await b.cli('describe', 'job', 'failing'), /Warning +BackoffLimitExceeded .*Job has reached the specified backoff limit/);
  });

  await t.test('activeDeadlineSeconds: the running pod is killed and the Job fails with DeadlineExceeded', async () => {
    await finished('deadline');
    const job = await b.job('deadline');
    assert.deepEqual(conditionTypes(job), ['FailureTarget', 'Failed']);
    assert.equal(job.status?.conditions?.at(-1)?.reason, 'DeadlineExceeded');
    assert.equal(job.status?.active, undefined);
    assert.equal(job.status?.failed, 1, JSON.stringify(job.status));
    await waitFor(async () => (await b.podsOf(job)).length === 0, { timeoutMs: 30_000, description: 'the deadline pod to be deleted' });
  });

  await t.test('Indexed: one pod per index, named <job>-<index>-<random>, with JOB_COMPLETION_INDEX and hostname', async () => {
    await finished('indexed');
    const job = await b.job('indexed');
    assert.equal(job.status?.completedIndexes, '0-2');
    assert.equal(job.status?.succeeded, 3);
    const pods = await b.podsOf(job);
    const seen = new Set<string>();
    for (const v of pods) {
      const index = v.pod.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] ?? '';
      assert.match(v.pod.metadata.name, new RegExp(`^indexed-${index}-[a-z0-9]{5}$`));
      assert.equal(v.pod.metadata.labels?.['batch.kubernetes.io/job-completion-index'], index);
      const logs = await b.cli('logs', v.pod.metadata.name);
      assert.equal(logs.trim(), `index=${index} host=indexed-${index}`);
      seen.add(index);
    }
    assert.deepEqual([...seen].sort(), ['0', '1', '2']);
    assert.match(await b.cli('describe', 'job', 'indexed'), /^Completed Indexes: +0-2$/m);
  });

  await t.test('ttlSecondsAfterFinished: the finished Job and its pods are deleted', async () => {
    await waitFor(async () => (await b.jobOrUndefined('short-lived')) === undefined, {
      timeoutMs: 120_000,
      intervalMs: 250,
      description: 'job short-lived to be deleted after its TTL',
    });
    await waitFor(async () => !(await b.pods()).some((v) => v.pod.metadata.name.startsWith('short-lived-')), {
      timeoutMs: 30_000,
      description: 'the pods of short-lived to be deleted',
    });
  });

  await t.test('OnFailure: the container restarts in its pod, and the restarts count against backoffLimit', async () => {
    await finished('restarts');
    const job = await b.job('restarts');
    assert.deepEqual(conditionTypes(job), ['FailureTarget', 'Failed']);
    assert.equal(job.status?.conditions?.at(-1)?.reason, 'BackoffLimitExceeded');
    assert.equal(job.status?.failed, 1, 'the one pod, killed when the Job failed');
    await waitFor(async () => (await b.podsOf(job)).length === 0, { timeoutMs: 30_000, description: 'the restarting pod to be deleted' });
  });

  // Deleting the Jobs deletes their pods (ownerReferences, the garbage collector); then nothing is left.
  for (const name of ['three', 'failing', 'deadline', 'indexed', 'restarts']) await b.cli('delete', 'job', name);
  await waitFor(async () => (await b.pods()).length === 0, { timeoutMs: 60_000, description: 'every Job pod to be deleted' });
  assert.deepEqual(await b.jobs(), []);
  await b.daemon.stop();
  await assertNoLeaks(b.roots.config);
});
