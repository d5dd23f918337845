// Table tests of the pod worker's plan: each row is a pod, what the runtime and the pod record say of
// it, and what one sync must do, written as a list of steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod, PodSpec } from '../kube/types.js';
import {
  completionPhase,
  computePodActions,
  deadlineCheck,
  terminationStages,
  type ObservedContainer,
  type PodActions,
  type PodObservation,
} from './pod-actions.js';
import type { ContainerTrack } from './pod-record.js';

const NOW = Date.parse('2026-12-07T09:00:00.000Z');
const ago = (seconds: number): string => new Date(NOW - seconds * 1000).toISOString();

const c = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: 'busybox', ...extra });
const sidecar = (name: string, extra: Partial<Container> = {}): Container => c(name, { restartPolicy: 'Always', ...extra });
const startupProbe = { exec: { command: ['true'] } };
const pod = (spec: Partial<PodSpec>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { containers: [c('web')], restartPolicy: 'Always', ...spec },
});

const running = (id: string, extra: Partial<ObservedContainer> = {}): ObservedContainer => ({ id, state: 'running', startedAt: ago(60), ...extra });
/** Exited `finishedSecondsAgo` after running `ranSeconds`. */
const exited = (id: string, exitCode: number, finishedSecondsAgo = 1, ranSeconds = 1): ObservedContainer => ({
  id,
  state: 'exited',
  exitCode,
  startedAt: ago(finishedSecondsAgo + ranSeconds),
  finishedAt: ago(finishedSecondsAgo),
});
const created = (id: string): ObservedContainer => ({ id, state: 'created' });
const tracked = (id: string, extra: Partial<ContainerTrack> = {}): ContainerTrack => ({ restartCount: 0, containerId: id, ...extra });

interface Row {
  readonly name: string;
  readonly pod: Pod;
  readonly observed?: Partial<Omit<PodObservation, 'pod'>>;
  readonly expect: readonly string[];
}

function observation(row: Row): PodObservation {
  const containers = row.observed?.containers ?? {};
  // A container the runtime knows is tracked by the pod record, unless the row says otherwise.
  const tracks: Record<string, ContainerTrack> = {};
  for (const [name, o] of Object.entries(containers)) if (o) tracks[name] = tracked(o.id);
  return {
    pod: row.pod,
    deleting: false,
    terminal: false,
    sandbox: 'ready',
    sandboxAttempt: 0,
    attachedEphemerals: new Set(),
    now: NOW,
    ...row.observed,
    containers,
    tracks: { ...tracks, ...row.observed?.tracks },
  };
}

function summary(plan: PodActions): string[] {
  if (plan.kind === 'terminate' || plan.kind === 'idle') return [plan.kind];
  if (plan.kind === 'createSandbox') return [`createSandbox attempt=${plan.attempt}${plan.replacing ? ' replacing' : ''}`];
  const out = plan.startProbes.map((p) => `probes ${p.name}`);
  for (const step of [...plan.initSteps, ...plan.mainSteps, ...plan.ephemeralSteps]) {
    if (step.kind === 'start')
      out.push(`${step.restart ? 'restart' : 'start'} ${step.container.name}${step.backoffSeconds === undefined ? '' : ` backoff=${step.backoffSeconds}`}`);
    else if (step.kind === 'launch') out.push(`launch ${step.container.name}`);
    else if (step.kind === 'backoff')
      out.push(`backoff ${step.container.name} ${step.delaySeconds}s retry=${step.retryInMs}ms${step.announce ? ' announce' : ''}`);
    else if (step.kind === 'failPod') out.push(`failPod ${step.reason}`);
    else if (step.kind === 'replace') out.push(`replace ${step.container.name} ${step.containerId}`);
    else out.push(`startEphemeral ${step.container.name}${step.idle ? ' idle' : ''}${step.targetContainerId ? ` target=${step.targetContainerId}` : ''}`);
  }
  if (!plan.initialized) out.push('blocked');
  return out;
}

const inits = pod({ initContainers: [c('init1'), c('init2')] });

const rows: Row[] = [
  // The pod and its sandbox.
  { name: 'fresh pod: a sandbox first', pod: pod({}), observed: { sandbox: 'absent' }, expect: ['createSandbox attempt=0'] },
  { name: 'sandbox ready, nothing started: every main container starts', pod: pod({ containers: [c('a'), c('b')] }), expect: ['start a', 'start b'] },
  {
    name: 'sandbox dead: re-created with the next attempt',
    pod: pod({}),
    observed: { sandbox: 'changed', sandboxAttempt: 2, containers: { web: running('w') } },
    expect: ['createSandbox attempt=3 replacing'],
  },
  { name: 'terminating pod: terminate', pod: pod({}), observed: { deleting: true, containers: { web: running('w') } }, expect: ['terminate'] },
  { name: 'terminating a terminal pod: terminate', pod: pod({}), observed: { deleting: true, terminal: true }, expect: ['terminate'] },
  { name: 'terminal pod: nothing runs again', pod: pod({}), observed: { terminal: true, containers: { web: exited('w', 0) } }, expect: ['idle'] },
  { name: 'all running: nothing to do', pod: pod({}), observed: { containers: { web: running('w') } }, expect: [] },
  // Init containers, in order.
  { name: 'init containers: the first starts, the rest wait', pod: inits, expect: ['start init1', 'blocked'] },
  { name: 'init container running: wait for it', pod: inits, observed: { containers: { init1: running('i1') } }, expect: ['blocked'] },
  {
    name: 'init container created but not started: start it',
    pod: inits,
    observed: { containers: { init1: created('i1') } },
    expect: ['launch init1', 'blocked'],
  },
  { name: 'first init succeeded: the second starts', pod: inits, observed: { containers: { init1: exited('i1', 0) } }, expect: ['start init2', 'blocked'] },
  {
    name: 'every init succeeded: main containers start',
    pod: inits,
    observed: { containers: { init1: exited('i1', 0), init2: exited('i2', 0) } },
    expect: ['start web'],
  },
  {
    name: 'failed init under Always: restarted with a first back-off',
    pod: inits,
    observed: { containers: { init1: exited('i1', 1) } },
    expect: ['restart init1 backoff=10', 'blocked'],
  },
  {
    name: 'failed init under OnFailure: restarted',
    pod: pod({ ...inits.spec, restartPolicy: 'OnFailure' }),
    observed: { containers: { init1: exited('i1', 2) } },
    expect: ['restart init1 backoff=10', 'blocked'],
  },
  {
    name: 'failed init under Never: the pod fails',
    pod: pod({ ...inits.spec, restartPolicy: 'Never' }),
    observed: { containers: { init1: exited('i1', 1) } },
    expect: ['failPod Init container init1 failed', 'blocked'],
  },
  {
    name: 'an init container removed with its sandbox runs again',
    pod: inits,
    observed: { tracks: { init1: tracked('old', { restartCount: 1 }) } },
    expect: ['restart init1', 'blocked'],
  },
  // Restartable init containers (sidecars).
  {
    name: 'sidecar without startup probe: started, the next init does not wait',
    pod: pod({ initContainers: [sidecar('log'), c('init')] }),
    expect: ['start log', 'start init', 'blocked'],
  },
  {
    name: 'sidecar with startup probe: started, the next init waits',
    pod: pod({ initContainers: [sidecar('log', { startupProbe }), c('init')] }),
    expect: ['start log', 'blocked'],
  },
  {
    name: 'sidecar whose startup probe has not succeeded: wait',
    pod: pod({ initContainers: [sidecar('log', { startupProbe })] }),
    observed: { containers: { log: running('l', { probes: { started: false } }) } },
    expect: ['blocked'],
  },
  {
    name: 'sidecar started: main containers start',
    pod: pod({ initContainers: [sidecar('log', { startupProbe })] }),
    observed: { containers: { log: running('l', { probes: { started: true } }) } },
    expect: ['start web'],
  },
  {
    name: 'sidecar adopted after a daemon restart: probes again, and it gates until they say started',
    pod: pod({ initContainers: [sidecar('log', { startupProbe })] }),
    observed: { containers: { log: running('l') } },
    expect: ['probes log', 'blocked'],
  },
  {
    name: 'exited sidecar restarts even under restartPolicy Never, main containers go on',
    pod: pod({ initContainers: [sidecar('log')], restartPolicy: 'Never' }),
    observed: { containers: { log: exited('l', 0), web: running('w') } },
    expect: ['restart log backoff=10'],
  },
  // Main containers after an exit, per restartPolicy.
  { name: 'Always: a container that succeeded restarts', pod: pod({}), observed: { containers: { web: exited('w', 0) } }, expect: ['restart web backoff=10'] },
  {
    name: 'OnFailure: a container that succeeded stays',
    pod: pod({ restartPolicy: 'OnFailure' }),
    observed: { containers: { web: exited('w', 0) } },
    expect: [],
  },
  {
    name: 'OnFailure: a failed container restarts',
    pod: pod({ restartPolicy: 'OnFailure' }),
    observed: { containers: { web: exited('w', 1) } },
    expect: ['restart web backoff=10'],
  },
  { name: 'Never: a failed container stays', pod: pod({ restartPolicy: 'Never' }), observed: { containers: { web: exited('w', 1) } }, expect: [] },
  { name: 'created, never started: start it', pod: pod({}), observed: { containers: { web: created('w') } }, expect: ['launch web'] },
  {
    name: 'removed with its sandbox under Never: not started again',
    pod: pod({ restartPolicy: 'Never' }),
    observed: { tracks: { web: tracked('old', { lastTermination: { exitCode: 137, reason: 'Error', finishedAt: ago(1), containerId: 'old' } }) } },
    expect: [],
  },
  { name: 'removed with its sandbox under Always: restarted', pod: pod({}), observed: { tracks: { web: tracked('old') } }, expect: ['restart web'] },
  {
    name: 'removed with its sandbox under OnFailure after success: stays',
    pod: pod({ restartPolicy: 'OnFailure' }),
    observed: { tracks: { web: tracked('old', { lastTermination: { exitCode: 0, reason: 'Completed', finishedAt: ago(1), containerId: 'old' } }) } },
    expect: [],
  },
  // CrashLoopBackOff.
  {
    name: 'back-off pending: wait out the delay, announced once',
    pod: pod({}),
    observed: { containers: { web: exited('w', 1, 5) }, tracks: { web: tracked('w', { backoffSeconds: 20 }) } },
    expect: ['backoff web 20s retry=15000ms announce'],
  },
  {
    name: 'back-off pending and already announced: just wait',
    pod: pod({}),
    observed: { containers: { web: exited('w', 1, 5) }, tracks: { web: tracked('w', { backoffSeconds: 20, backoffUntil: ago(-15) }) } },
    expect: ['backoff web 20s retry=15000ms'],
  },
  {
    name: 'back-off passed: restart, the delay doubles',
    pod: pod({}),
    observed: { containers: { web: exited('w', 1, 30) }, tracks: { web: tracked('w', { backoffSeconds: 20 }) } },
    expect: ['restart web backoff=40'],
  },
  {
    name: 'ran 10 minutes before exiting: the back-off resets',
    pod: pod({}),
    observed: { containers: { web: exited('w', 1, 1, 600) }, tracks: { web: tracked('w', { backoffSeconds: 300 }) } },
    expect: ['restart web backoff=10'],
  },
  // Probes, ephemeral containers, spec changes.
  {
    name: 'running containers adopted after a daemon restart get their probes back',
    pod: pod({ containers: [c('web', { readinessProbe: startupProbe }), c('plain')] }),
    observed: { containers: { web: running('w'), plain: running('p') } },
    expect: ['probes web'],
  },
  {
    name: 'interactive ephemeral container: idles under the init, targets its container',
    pod: pod({ ephemeralContainers: [{ ...c('dbg'), stdin: true, tty: true, targetContainerName: 'web' }] }),
    observed: { containers: { web: running('w') } },
    expect: ['startEphemeral dbg idle target=w'],
  },
  {
    name: 'attached ephemeral container (kubectl debug): its own command runs',
    pod: pod({ ephemeralContainers: [{ ...c('dbg'), stdin: true, tty: true }] }),
    observed: { containers: { web: running('w') }, attachedEphemerals: new Set(['dbg']) },
    expect: ['startEphemeral dbg'],
  },
  {
    name: 'ephemeral container started once is never started again',
    pod: pod({ ephemeralContainers: [c('dbg')] }),
    observed: { containers: { web: running('w'), dbg: exited('d', 1) } },
    expect: [],
  },
  {
    name: 'ephemeral container that failed to start is not retried',
    pod: pod({ ephemeralContainers: [c('dbg')] }),
    observed: { containers: { web: running('w') }, tracks: { dbg: { restartCount: 0, waiting: { reason: 'ErrImagePull' } } } },
    expect: [],
  },
  {
    name: 'image changed while the container runs: killed and started again',
    pod: pod({ containers: [c('web', { image: 'busybox:2' })] }),
    observed: { containers: { web: running('w') }, tracks: { web: tracked('w', { image: 'busybox' }) } },
    expect: ['replace web w'],
  },
  {
    name: 'image changed under restartPolicy Never: restarted all the same (the spec changed)',
    pod: pod({ containers: [c('web', { image: 'busybox:2' })], restartPolicy: 'Never' }),
    observed: { containers: { web: running('w') }, tracks: { web: tracked('w', { image: 'busybox' }) } },
    expect: ['replace web w'],
  },
  {
    name: 'image unchanged: nothing to do',
    pod: pod({}),
    observed: { containers: { web: running('w') }, tracks: { web: tracked('w', { image: 'busybox' }) } },
    expect: [],
  },
  {
    name: 'image changed after the container exited under Never: nothing (only running containers are replaced)',
    pod: pod({ containers: [c('web', { image: 'busybox:2' })], restartPolicy: 'Never' }),
    observed: { containers: { web: exited('w', 0) }, tracks: { web: tracked('w', { image: 'busybox' }) } },
    expect: [],
  },
  {
    name: 'sidecar image changed: replaced, main containers go on',
    pod: pod({ initContainers: [sidecar('log', { image: 'busybox:2' })] }),
    observed: { containers: { log: running('l') }, tracks: { log: tracked('l', { image: 'busybox' }) } },
    expect: ['replace log l', 'start web'],
  },
  {
    name: 'a container recorded before images were tracked is left running',
    pod: pod({ containers: [c('web', { image: 'busybox:2' })] }),
    observed: { containers: { web: running('w') } },
    expect: [],
  },
];

for (const row of rows) {
  test(`plan: ${row.name}`, () => {
    assert.deepEqual(summary(computePodActions(observation(row))), row.expect);
  });
}

test('activeDeadlineSeconds: how long until the deadline, then exceeded', () => {
  const p = pod({ activeDeadlineSeconds: 30 });
  assert.deepEqual(deadlineCheck(p, ago(10), NOW), { exceeded: false, inMs: 20_000 });
  assert.deepEqual(deadlineCheck(p, ago(30), NOW), { exceeded: true });
  assert.deepEqual(deadlineCheck(p, undefined, NOW), { exceeded: false });
  assert.deepEqual(deadlineCheck(pod({}), ago(1000), NOW), { exceeded: false });
});

test('completion: job-like pods end when every main container exited and none restarts', () => {
  assert.equal(completionPhase(pod({ restartPolicy: 'Never' }), [exited('a', 0), exited('b', 0)]), 'Succeeded');
  assert.equal(completionPhase(pod({ restartPolicy: 'Never' }), [exited('a', 0), exited('b', 1)]), 'Failed');
  assert.equal(completionPhase(pod({ restartPolicy: 'Never' }), [exited('a', 0), running('b')]), undefined);
  assert.equal(completionPhase(pod({ restartPolicy: 'Never' }), [exited('a', 0), undefined]), undefined);
  assert.equal(completionPhase(pod({ restartPolicy: 'OnFailure' }), [exited('a', 0)]), 'Succeeded');
  assert.equal(completionPhase(pod({ restartPolicy: 'OnFailure' }), [exited('a', 1)]), undefined);
  assert.equal(completionPhase(pod({ restartPolicy: 'Always' }), [exited('a', 0)]), undefined);
});

test('termination order: main containers together, sidecars in reverse, then init containers', () => {
  const p = pod({ containers: [c('a'), c('b')], initContainers: [sidecar('s1'), c('i1'), sidecar('s2'), c('i2')] });
  assert.deepEqual(
    terminationStages(p).map((stage) => stage.map((x) => x.name)),
    [['a', 'b'], ['s2'], ['s1'], ['i1', 'i2']],
  );
  assert.deepEqual(
    terminationStages(pod({})).map((stage) => stage.map((x) => x.name)),
    [['web']],
  );
});
