// `apply --wait`'s end condition, from the pod's status alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerState, ContainerStatus, Pod, PodStatus } from '../kube/types.js';
import { startedOutcome, waitingReasons } from './wait-started.js';

const status = (name: string, state: ContainerState, lastState: ContainerState = {}): ContainerStatus => ({
  name,
  image: 'busybox',
  imageID: '',
  ready: state.running !== undefined,
  restartCount: 0,
  state,
  lastState,
});

const pod = (s: PodStatus): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'two' },
  spec: {
    containers: [
      { name: 'server', image: 'busybox' },
      { name: 'writer', image: 'busybox' },
    ],
  },
  status: s,
});

const running = { running: { startedAt: '2026-01-01T00:00:00Z' } };
const completed = { terminated: { exitCode: 0, reason: 'Completed', finishedAt: '2026-01-01T00:00:01Z' } };

test('a completed container counts as started: one running and one completed is done', () => {
  assert.deepEqual(startedOutcome(pod({ phase: 'Running', containerStatuses: [status('server', running), status('writer', completed)] })), { kind: 'started' });
  assert.deepEqual(startedOutcome(pod({ phase: 'Running', containerStatuses: [status('server', running), status('writer', running)] })), { kind: 'started' });
  assert.deepEqual(startedOutcome(pod({ phase: 'Succeeded', containerStatuses: [status('server', completed), status('writer', completed)] })), {
    kind: 'started',
  });
});

test('a container not yet started, or missing from the status, keeps the wait going', () => {
  assert.equal(
    startedOutcome(pod({ phase: 'Running', containerStatuses: [status('server', running), status('writer', { waiting: { reason: 'ContainerCreating' } })] }))
      .kind,
    'pending',
  );
  assert.equal(startedOutcome(pod({ phase: 'Running', containerStatuses: [status('server', running)] })).kind, 'pending');
  assert.equal(startedOutcome(pod({ phase: 'Pending' })).kind, 'pending');
  assert.equal(
    waitingReasons(pod({ phase: 'Pending', containerStatuses: [status('writer', { waiting: { reason: 'ErrImagePull', message: 'no such image' } })] })),
    'writer: ErrImagePull (no such image)',
  );
});

test('a failed pod or a crash-looping container ends the wait with the reason', () => {
  const failed = startedOutcome(
    pod({ phase: 'Failed', containerStatuses: [status('server', { terminated: { exitCode: 2, reason: 'Error' } }), status('writer', completed)] }),
  );
  assert.deepEqual(failed, { kind: 'failed', reason: 'container server: Error (exit 2)' });
  const looping = startedOutcome(
    pod({
      phase: 'Running',
      containerStatuses: [
        status('server', running),
        status('writer', { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } }, { terminated: { exitCode: 1, reason: 'Error' } }),
      ],
    }),
  );
  assert.deepEqual(looping, { kind: 'failed', reason: 'container writer: CrashLoopBackOff: back-off 10s (last exit 1, Error)' });
});

test('a container the kubelet cannot create ends the wait with the error', () => {
  const outcome = startedOutcome(
    pod({
      phase: 'Pending',
      containerStatuses: [status('server', running), status('writer', { waiting: { reason: 'CreateContainerError', message: 'exec: "/x": no such file' } })],
    }),
  );
  assert.deepEqual(outcome, { kind: 'failed', reason: 'container writer: CreateContainerError: exec: "/x": no such file' });
  assert.equal(startedOutcome(pod({ phase: 'Pending', containerStatuses: [status('writer', { waiting: { reason: 'ErrImagePull' } })] })).kind, 'pending');
});
