import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet, StatefulSetSpec } from '../../kube/stateful-types.js';
import { planStatefulSet, type MemberPod, type StatefulSetAction } from './plan.js';
import { ordinalOf, statefulClaim, statefulPod, revisionName } from './identity.js';

const OLD = 'web-old';
const NEW = 'web-new';

function set(spec: Partial<StatefulSetSpec> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 'u-1' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      serviceName: 'web',
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }],
      ...spec,
    },
  };
}

const running = (name: string, revision = NEW): MemberPod => ({ name, revision, phase: 'Running', ready: true, terminating: false });
const pending = (name: string, revision = NEW): MemberPod => ({ name, revision, phase: 'Pending', ready: false, terminating: false });
const terminating = (name: string, revision = NEW): MemberPod => ({ ...running(name, revision), terminating: true });

function plan(s: StatefulSet, pods: MemberPod[], claims: string[] = [], current = NEW): ReturnType<typeof planStatefulSet> {
  return planStatefulSet({ set: s, pods, claims: new Set(claims), currentRevision: current, updateRevision: NEW });
}

const brief = (actions: readonly StatefulSetAction[]): string[] =>
  actions.map((a) =>
    a.kind === 'createPod' ? `createPod ${a.name}@${a.revision}` : a.kind === 'deletePod' ? `deletePod ${a.name} (${a.reason})` : `${a.kind} ${a.name}`,
  );

const cases: { name: string; set: StatefulSet; pods: MemberPod[]; claims?: string[]; current?: string; want: string[]; waiting?: RegExp }[] = [
  { name: 'OrderedReady: first the claim, then pod 0, nothing else', set: set(), pods: [], want: ['createClaim data-web-0', `createPod web-0@${NEW}`] },
  {
    name: 'OrderedReady: pod 0 pending blocks pod 1',
    set: set(),
    pods: [pending('web-0')],
    claims: ['data-web-0'],
    want: [],
    waiting: /web-0 to be Running and Ready/,
  },
  {
    name: 'OrderedReady: pod 0 ready → pod 1',
    set: set(),
    pods: [running('web-0')],
    claims: ['data-web-0'],
    want: ['createClaim data-web-1', `createPod web-1@${NEW}`],
  },
  {
    name: 'OrderedReady: existing claim is reused',
    set: set(),
    pods: [running('web-0')],
    claims: ['data-web-0', 'data-web-1'],
    want: [`createPod web-1@${NEW}`],
  },
  {
    name: 'Parallel: all missing pods at once',
    set: set({ podManagementPolicy: 'Parallel' }),
    pods: [],
    claims: ['data-web-0', 'data-web-1', 'data-web-2'],
    want: [`createPod web-0@${NEW}`, `createPod web-1@${NEW}`, `createPod web-2@${NEW}`],
  },
  {
    name: 'Parallel: pending pods do not block',
    set: set({ podManagementPolicy: 'Parallel' }),
    pods: [pending('web-0')],
    claims: ['data-web-0', 'data-web-1', 'data-web-2'],
    want: [`createPod web-1@${NEW}`, `createPod web-2@${NEW}`],
  },
  {
    name: 'scale down: highest ordinal first, one at a time',
    set: set({ replicas: 1 }),
    pods: [running('web-0'), running('web-1'), running('web-2')],
    claims: ['data-web-0'],
    want: ['deletePod web-2 (condemned)'],
  },
  {
    name: 'scale down waits for the terminating pod',
    set: set({ replicas: 1 }),
    pods: [running('web-0'), running('web-1'), terminating('web-2')],
    claims: ['data-web-0'],
    want: [],
    waiting: /web-2 to terminate/,
  },
  {
    name: 'scale down waits for an unhealthy replica',
    set: set({ replicas: 1 }),
    pods: [pending('web-0'), running('web-1')],
    claims: ['data-web-0'],
    want: [],
    waiting: /web-0 to be Running and Ready/,
  },
  {
    name: 'Parallel scale down: every condemned pod at once',
    set: set({ replicas: 1, podManagementPolicy: 'Parallel' }),
    pods: [running('web-0'), running('web-1'), running('web-2')],
    claims: ['data-web-0'],
    want: ['deletePod web-2 (condemned)', 'deletePod web-1 (condemned)'],
  },
  {
    name: 'scale down keeps claims (whenScaled Retain)',
    set: set({ replicas: 1 }),
    pods: [running('web-0')],
    claims: ['data-web-0', 'data-web-1', 'data-web-2'],
    want: [],
  },
  {
    name: 'whenScaled Delete removes claims of gone condemned pods',
    set: set({ replicas: 1, persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' } }),
    pods: [running('web-0')],
    claims: ['data-web-0', 'data-web-1', 'data-web-2', 'data-web-x', 'other-web-5'],
    want: ['deleteClaim data-web-1', 'deleteClaim data-web-2'],
  },
  {
    name: 'a failed pod is deleted to be recreated',
    set: set({ replicas: 1 }),
    pods: [{ ...running('web-0'), phase: 'Failed', ready: false }],
    claims: ['data-web-0'],
    want: ['deletePod web-0 (failed)'],
  },
  {
    name: 'RollingUpdate: highest ordinal not at the update revision goes first',
    set: set(),
    pods: [running('web-0', OLD), running('web-1', OLD), running('web-2', OLD)],
    claims: ['data-web-0', 'data-web-1', 'data-web-2'],
    current: OLD,
    want: ['deletePod web-2 (update)'],
  },
  {
    name: 'RollingUpdate: waits for the updated pod to be ready',
    set: set(),
    pods: [running('web-0', OLD), running('web-1', OLD), pending('web-2', NEW)],
    claims: ['data-web-0', 'data-web-1', 'data-web-2'],
    current: OLD,
    want: [],
    waiting: /web-2 to be Running and Ready/,
  },
  {
    name: 'RollingUpdate: then the next lower ordinal',
    set: set(),
    pods: [running('web-0', OLD), running('web-1', OLD), running('web-2', NEW)],
    claims: ['data-web-0', 'data-web-1', 'data-web-2'],
    current: OLD,
    want: ['deletePod web-1 (update)'],
  },
  {
    name: 'RollingUpdate with partition 2: only ordinals ≥ 2 are updated',
    set: set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }),
    pods: [running('web-0', OLD), running('web-1', OLD), running('web-2', NEW)],
    claims: ['data-web-0', 'data-web-1', 'data-web-2'],
    current: OLD,
    want: [],
  },
  {
    name: 'partition: a deleted pod below it comes back at the current revision',
    set: set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }),
    pods: [running('web-0', OLD), running('web-2', NEW)],
    claims: ['data-web-0', 'data-web-1', 'data-web-2'],
    current: OLD,
    want: [`createPod web-1@${OLD}`],
  },
  {
    name: 'OnDelete: old pods stay',
    set: set({ updateStrategy: { type: 'OnDelete' } }),
    pods: [running('web-0', OLD), running('web-1', OLD), running('web-2', OLD)],
    claims: ['data-web-0', 'data-web-1', 'data-web-2'],
    current: OLD,
    want: [],
  },
  {
    name: 'OnDelete: a deleted pod comes back at the update revision',
    set: set({ updateStrategy: { type: 'OnDelete' } }),
    pods: [running('web-0', OLD), running('web-2', OLD)],
    claims: ['data-web-0', 'data-web-1', 'data-web-2'],
    current: OLD,
    want: [`createPod web-1@${NEW}`],
  },
  {
    name: 'pods of other names are not members',
    set: set({ replicas: 1 }),
    pods: [running('web-0'), running('web-01'), running('webx-1')],
    claims: ['data-web-0'],
    want: [],
  },
];

for (const c of cases) {
  test(`planStatefulSet: ${c.name}`, () => {
    const result = plan(c.set, c.pods, c.claims ?? [], c.current ?? NEW);
    assert.deepEqual(brief(result.actions), c.want);
    if (c.waiting) assert.match(result.waitingOn ?? '', c.waiting);
  });
}

test('status: counts and the revision switch once every pod is updated and ready', () => {
  const mid = plan(set(), [running('web-0', OLD), running('web-1', NEW), pending('web-2', NEW)], [], OLD).status;
  assert.deepEqual(
    { r: mid.replicas, ready: mid.readyReplicas, cur: mid.currentReplicas, upd: mid.updatedReplicas, cr: mid.currentRevision, ur: mid.updateRevision },
    { r: 3, ready: 2, cur: 1, upd: 2, cr: OLD, ur: NEW },
  );
  const done = plan(set(), [running('web-0'), running('web-1'), running('web-2')], [], OLD).status;
  assert.equal(done.currentRevision, NEW);
  assert.equal(done.currentReplicas, 3);
});

test('status: availableReplicas counts pods ready for minReadySeconds', () => {
  const status = plan(set(), [running('web-0'), { ...running('web-1'), available: false }], [], NEW).status;
  assert.equal(status.readyReplicas, 2);
  assert.equal(status.availableReplicas, 1);
});

test('ordinalOf: only <set>-<canonical integer>', () => {
  assert.equal(ordinalOf('web', 'web-0'), 0);
  assert.equal(ordinalOf('web', 'web-12'), 12);
  assert.equal(ordinalOf('web', 'web-012'), undefined);
  assert.equal(ordinalOf('web', 'web-a'), undefined);
  assert.equal(ordinalOf('web', 'webs-1'), undefined);
  assert.equal(ordinalOf('my-web', 'my-web-3'), 3);
});

test('statefulPod: identity labels, hostname, subdomain, claim volumes', () => {
  const s = set({
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{ name: 'c' }],
        volumes: [
          { name: 'data', emptyDir: {} },
          { name: 'tmp', emptyDir: {} },
        ],
      },
    },
  });
  const pod = statefulPod(s, 1, 'web-abc', s.spec.template);
  assert.equal(pod.metadata.name, 'web-1');
  assert.deepEqual(pod.metadata.labels, {
    app: 'web',
    'statefulset.kubernetes.io/pod-name': 'web-1',
    'apps.kubernetes.io/pod-index': '1',
    'controller-revision-hash': 'web-abc',
  });
  assert.equal(pod.spec.hostname, 'web-1');
  assert.equal(pod.spec.subdomain, 'web');
  assert.deepEqual(pod.spec.volumes, [
    { name: 'tmp', emptyDir: {} },
    { name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } },
  ]);
  const owner = (pod.metadata as { ownerReferences?: unknown }).ownerReferences;
  assert.deepEqual(owner, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u-1', controller: true, blockOwnerDeletion: true }]);
});

test('statefulClaim: selector labels; owned by the set only for whenDeleted Delete', () => {
  const kept = statefulClaim(set(), 2, 0);
  assert.equal(kept.metadata.name, 'data-web-2');
  assert.deepEqual(kept.metadata.labels, { app: 'web' });
  assert.equal(kept.metadata.ownerReferences, undefined);
  const owned = statefulClaim(set({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } }), 2, 0);
  assert.equal(owned.metadata.ownerReferences?.[0]?.uid, 'u-1');
});

test('revisionName: changes with the template, stable otherwise', () => {
  const a = set();
  const b = set({ template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:2' }] } } });
  assert.equal(revisionName(a), revisionName(set()));
  assert.notEqual(revisionName(a), revisionName(b));
  assert.match(revisionName(a), /^web-[bcdfghjklmnpqrstvwxz2456789]{10}$/);
});
