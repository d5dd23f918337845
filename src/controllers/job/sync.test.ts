import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job, JobSpec } from '../../kube/batch.js';
import { NO_BACKOFF, remainingBackoffMs, updateBackoff } from './backoff.js';
import { firstPendingIndexes, formatIndexes, parseIndexes } from './indexes.js';
import { syncJob, type JobPod, type JobSyncPlan, type JobTracking } from './sync.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const S = 1000;

function job(spec: Partial<JobSpec>, status?: Job['status']): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: 'job-uid' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }, ...spec },
    ...(status ? { status } : {}),
  };
}

const pod = (uid: string, phase: JobPod['phase'], extra: Partial<JobPod> = {}): JobPod => ({
  name: `pi-${uid}`,
  uid,
  phase,
  ready: phase === 'Running',
  terminating: false,
  restarts: 0,
  ...extra,
});

const tracking = (...tracked: string[]): JobTracking => ({ tracked, backoff: NO_BACKOFF });

/** Applies a plan to a Job: what the controller writes back. */
const withStatus = (j: Job, plan: JobSyncPlan): Job => ({ ...j, status: plan.status });
const types = (plan: JobSyncPlan): string[] => (plan.status.conditions ?? []).map((c) => `${c.type}=${c.status}`);

test('completions 3, parallelism 2: two pods, a third after a success, then SuccessCriteriaMet and Complete', () => {
  let j = job({ completions: 3, parallelism: 2 });
  let plan = syncJob({ job: j, pods: [], tracking: tracking(), now: T0 });
  assert.equal(plan.create.length, 2);
  assert.equal(plan.status.active, 2);
  assert.equal(plan.status.startTime, '2026-01-01T00:00:00Z');
  j = withStatus(j, plan);

  plan = syncJob({ job: j, pods: [pod('a', 'Succeeded', { finishedAt: T0 + S }), pod('b', 'Running')], tracking: tracking('a', 'b'), now: T0 + 2 * S });
  assert.deepEqual(plan.create, [{}]);
  assert.equal(plan.status.succeeded, 1);
  assert.deepEqual(plan.tracking.tracked, ['b']);
  j = withStatus(j, plan);

  const done = [pod('a', 'Succeeded'), pod('b', 'Succeeded'), pod('c', 'Succeeded')];
  plan = syncJob({ job: j, pods: done, tracking: tracking('b', 'c'), now: T0 + 5 * S });
  assert.equal(plan.status.succeeded, 3);
  assert.deepEqual(types(plan), ['SuccessCriteriaMet=True', 'Complete=True']);
  assert.equal(plan.status.conditions?.[1]?.reason, 'CompletionsReached');
  assert.equal(plan.status.completionTime, '2026-01-01T00:00:05Z');
  assert.equal(plan.status.active, undefined);
  assert.deepEqual(plan.events, [{ type: 'Normal', reason: 'Completed', message: 'Job completed' }]);
  // A finished Job is left alone.
  const after = syncJob({ job: withStatus(j, plan), pods: done, tracking: plan.tracking, now: T0 + 60 * S });
  assert.deepEqual([after.create, after.delete, after.events], [[], [], []]);
});

test('failures: re-created after 10 s, 20 s, 40 s back-off; failed > backoffLimit fails the Job', () => {
  let j = job({ backoffLimit: 2 });
  let plan = syncJob({ job: j, pods: [], tracking: tracking(), now: T0 });
  j = withStatus(j, plan);
  const pods: JobPod[] = [];
  let track: JobTracking = tracking('p0');
  let now = T0;
  const waits: number[] = [];
  for (let i = 0; i < 3; i++) {
    now += 3 * S;
    pods.push(pod(`p${i}`, 'Failed', { finishedAt: now }));
    plan = syncJob({ job: j, pods, tracking: track, now });
    j = withStatus(j, plan);
    track = plan.tracking;
    if (i === 2) break;
    assert.deepEqual(plan.create, [], 'nothing is created during the back-off');
    waits.push(plan.requeueAfterMs ?? -1);
    now += plan.requeueAfterMs ?? 0;
    plan = syncJob({ job: j, pods, tracking: track, now });
    assert.equal(plan.create.length, 1);
    j = withStatus(j, plan);
    track = { ...plan.tracking, tracked: [`p${i + 1}`] };
  }
  assert.deepEqual(waits, [10 * S, 20 * S]);
  assert.equal(plan.status.failed, 3);
  assert.deepEqual(types(plan), ['FailureTarget=True', 'Failed=True']);
  assert.equal(plan.status.conditions?.[1]?.reason, 'BackoffLimitExceeded');
  assert.equal(plan.status.conditions?.[1]?.message, 'Job has reached the specified backoff limit');
  assert.equal(plan.status.completionTime, undefined);
});

test('back-off: doubling from the base, capped, reset by a success', () => {
  const r = updateBackoff(NO_BACKOFF, [], [T0, T0 + S, T0 + 2 * S]);
  assert.deepEqual(r, { failuresAfterLastSuccess: 3, lastFailureTime: T0 + 2 * S });
  assert.equal(remainingBackoffMs(r, T0 + 2 * S), 40 * S);
  assert.equal(remainingBackoffMs(r, T0 + 12 * S), 30 * S);
  assert.equal(remainingBackoffMs({ failuresAfterLastSuccess: 30, lastFailureTime: T0 }, T0), 600 * S);
  assert.equal(remainingBackoffMs(r, T0 + 2 * S, 100, 1000), 400, 'a shorter base keeps the doubling');
  assert.deepEqual(updateBackoff(r, [T0 + 3 * S], []), NO_BACKOFF);
  assert.deepEqual(updateBackoff(r, [T0 + 3 * S], [T0 + S, T0 + 4 * S]), { failuresAfterLastSuccess: 1, lastFailureTime: T0 + 4 * S });
});

test('activeDeadlineSeconds: requeued for the deadline, then pods killed, FailureTarget, and Failed once they are gone', () => {
  let j = job({ activeDeadlineSeconds: 30 });
  let plan = syncJob({ job: j, pods: [], tracking: tracking(), now: T0 });
  assert.equal(plan.requeueAfterMs, 30 * S);
  j = withStatus(j, plan);
  plan = syncJob({ job: j, pods: [pod('a', 'Running')], tracking: tracking('a'), now: T0 + 30 * S });
  assert.deepEqual(plan.delete, [{ name: 'pi-a', uid: 'a' }]);
  assert.deepEqual(types(plan), ['FailureTarget=True']);
  assert.equal(plan.status.terminating, 1);
  assert.equal(plan.status.failed, 1, 'counted as failed in the sync that kills it');
  assert.deepEqual(plan.tracking.tracked, []);
  j = withStatus(j, plan);
  plan = syncJob({ job: j, pods: [], tracking: plan.tracking, now: T0 + 32 * S });
  assert.deepEqual(types(plan), ['FailureTarget=True', 'Failed=True']);
  assert.equal(plan.status.conditions?.[1]?.reason, 'DeadlineExceeded');
  assert.equal(plan.status.failed, 1, 'the killed pod counts as failed, once');
  assert.deepEqual(plan.events, [{ type: 'Warning', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }]);
});

test('activeDeadlineSeconds: a killed pod that catches TERM and exits 0 before it is gone is still a failure', () => {
  let j = job({ activeDeadlineSeconds: 30 });
  j = withStatus(j, syncJob({ job: j, pods: [], tracking: tracking(), now: T0 }));
  let plan = syncJob({ job: j, pods: [pod('a', 'Running')], tracking: tracking('a'), now: T0 + 30 * S });
  j = withStatus(j, plan);
  const exited = pod('a', 'Succeeded', { terminating: true, finishedAt: T0 + 31 * S });
  plan = syncJob({ job: j, pods: [exited], tracking: plan.tracking, now: T0 + 31 * S });
  assert.deepEqual(types(plan), ['FailureTarget=True', 'Failed=True']);
  assert.equal(plan.status.failed, 1);
  assert.equal(plan.status.succeeded, undefined);
});

test('Indexed: the lowest missing indexes, a failed index re-created, completedIndexes as intervals', () => {
  let j = job({ completions: 4, parallelism: 2, completionMode: 'Indexed' });
  let plan = syncJob({ job: j, pods: [], tracking: tracking(), now: T0 });
  assert.deepEqual(plan.create, [{ index: 0 }, { index: 1 }]);
  j = withStatus(j, plan);
  const pods = [pod('a', 'Succeeded', { completionIndex: 0 }), pod('b', 'Running', { completionIndex: 1 })];
  plan = syncJob({ job: j, pods, tracking: tracking('a', 'b'), now: T0 + S });
  assert.deepEqual(plan.create, [{ index: 2 }]);
  assert.equal(plan.status.completedIndexes, '0');
  j = withStatus(j, plan);
  const more = [
    pod('a', 'Succeeded', { completionIndex: 0 }),
    pod('b', 'Failed', { completionIndex: 1, finishedAt: T0 + 2 * S }),
    pod('c', 'Succeeded', { completionIndex: 2 }),
  ];
  plan = syncJob({ job: j, pods: more, tracking: tracking('b', 'c'), now: T0 + 20 * S });
  assert.deepEqual(plan.create, [{ index: 1 }, { index: 3 }]);
  assert.equal(plan.status.completedIndexes, '0,2');
  assert.equal(plan.status.succeeded, 2);
  assert.equal(plan.status.failed, 1);
  // Duplicate and out-of-range indexes are removed first.
  const dup = [pod('x', 'Running', { completionIndex: 1 }), pod('y', 'Running', { completionIndex: 1 }), pod('z', 'Running', { completionIndex: 9 })];
  plan = syncJob({ job: withStatus(j, plan), pods: dup, tracking: tracking('x', 'y', 'z'), now: T0 + 21 * S });
  assert.deepEqual(plan.delete.map((d) => d.uid).sort(), ['y', 'z']);
  assert.equal(formatIndexes([5, 1, 2, 3, 7, 8]), '1-3,5,7-8');
  assert.deepEqual([...parseIndexes('1-3,5,x,7-9', 8)], [1, 2, 3, 5, 7]);
  assert.deepEqual(firstPendingIndexes(new Set([0, 2]), new Set([1]), 2, 6), [3, 4]);
});

test('suspend deletes active pods without counting them; resume restarts startTime', () => {
  const j = job({ suspend: true, parallelism: 2, completions: 2 }, { startTime: '2026-01-01T00:00:00Z', active: 2 });
  let plan = syncJob({ job: j, pods: [pod('a', 'Running'), pod('b', 'Pending')], tracking: tracking('a', 'b'), now: T0 + 10 * S });
  assert.equal(plan.delete.length, 2);
  assert.deepEqual(plan.tracking.tracked, []);
  assert.deepEqual(types(plan), ['Suspended=True']);
  assert.deepEqual(plan.events, [{ type: 'Normal', reason: 'Suspended', message: 'Job suspended' }]);
  const suspended = withStatus(j, plan);
  // The deleted pods end Failed (killed): not counted, no back-off.
  const killed = [pod('a', 'Failed'), pod('b', 'Failed')];
  plan = syncJob({ job: { ...suspended, spec: { ...suspended.spec, suspend: false } }, pods: killed, tracking: plan.tracking, now: T0 + 20 * S });
  assert.equal(plan.status.failed, undefined);
  assert.equal(plan.create.length, 2);
  assert.deepEqual(types(plan), ['Suspended=False']);
  assert.equal(plan.status.conditions?.[0]?.reason, 'JobResumed');
  assert.equal(plan.status.startTime, '2026-01-01T00:00:20Z');
});

test('a Job created suspended has no startTime', () => {
  const plan = syncJob({ job: job({ suspend: true }), pods: [], tracking: tracking(), now: T0 });
  assert.equal(plan.status.startTime, undefined);
  assert.equal(plan.create.length, 0);
});

test('OnFailure: container restarts count against backoffLimit', () => {
  const j = job({ backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c' }] } } });
  const plan = syncJob({ job: j, pods: [pod('a', 'Running', { restarts: 2 })], tracking: tracking('a'), now: T0 });
  assert.deepEqual(types(plan), ['FailureTarget=True']);
  assert.deepEqual(plan.delete, [{ name: 'pi-a', uid: 'a' }]);
});

test('a tracked pod that vanished counts as failed; an untracked active pod is adopted, not duplicated', () => {
  const j = job({ completions: 2, parallelism: 2 }, { startTime: '2026-01-01T00:00:00Z' });
  const plan = syncJob({ job: j, pods: [pod('b', 'Running')], tracking: tracking('a'), now: T0 + 5 * S });
  assert.equal(plan.status.failed, 1);
  assert.deepEqual(plan.tracking.tracked, ['b']);
  assert.equal(plan.requeueAfterMs, 10 * S);
  assert.deepEqual(plan.create, []);
});

test('no completions (work queue): parallel pods, no new pods after the first success, complete when all stopped', () => {
  const j = job({ parallelism: 2 });
  let plan = syncJob({ job: j, pods: [], tracking: tracking(), now: T0 });
  assert.equal(plan.create.length, 2);
  plan = syncJob({ job: withStatus(j, plan), pods: [pod('a', 'Succeeded'), pod('b', 'Running')], tracking: tracking('a', 'b'), now: T0 + S });
  assert.deepEqual([plan.create.length, types(plan)], [0, []]);
  plan = syncJob({ job: withStatus(j, plan), pods: [pod('a', 'Succeeded'), pod('b', 'Succeeded')], tracking: plan.tracking, now: T0 + 2 * S });
  assert.deepEqual(types(plan), ['SuccessCriteriaMet=True', 'Complete=True']);
});

test('parallelism lowered: not-ready pods are removed first and not counted', () => {
  const j = job({ completions: 5, parallelism: 1 }, { startTime: '2026-01-01T00:00:00Z' });
  const plan = syncJob({ job: j, pods: [pod('a', 'Running'), pod('b', 'Pending')], tracking: tracking('a', 'b'), now: T0 });
  assert.deepEqual(plan.delete, [{ name: 'pi-b', uid: 'b' }]);
  assert.deepEqual(plan.tracking.tracked, ['a']);
  assert.equal(plan.status.active, 1);
});
