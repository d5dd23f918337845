import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet, DaemonSetSpec } from '../../kube/stateful-types.js';
import { planDaemonSet, type DaemonPod, type DaemonSetAction } from './plan.js';
import { misfit, tolerates, type NodeView } from './node-fit.js';
import { daemonPodPrefix, daemonPodTemplate } from './pod.js';

const NODE: NodeView = { name: 'host1', labels: { 'kubernetes.io/hostname': 'host1', 'kubernetes.io/os': 'linux', disk: 'ssd' }, taints: [] };

function ds(spec: Partial<DaemonSetSpec> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default', uid: 'u-ds', generation: 2 },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c' }] } }, ...spec },
  };
}

let clock = 0;
const pod = (name: string, revision: string, extra: Partial<DaemonPod> = {}): DaemonPod => ({
  name,
  revision,
  phase: 'Running',
  ready: true,
  available: true,
  terminating: false,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString(),
  ...extra,
});

const brief = (actions: readonly DaemonSetAction[]): string[] => actions.map((a) => (a.kind === 'createPod' ? 'create' : `delete ${a.name} (${a.reason})`));

const cases: { name: string; ds: DaemonSet; node?: NodeView; pods: DaemonPod[]; want: string[] }[] = [
  { name: 'no pod: create one', ds: ds(), pods: [], want: ['create'] },
  { name: 'one pod at the revision: nothing', ds: ds(), pods: [pod('agent-a', 'new')], want: [] },
  { name: 'two pods: the newer one goes', ds: ds(), pods: [pod('agent-a', 'new'), pod('agent-b', 'new')], want: ['delete agent-b (excess)'] },
  {
    name: 'failed pod: deleted and replaced',
    ds: ds(),
    pods: [pod('agent-a', 'new', { phase: 'Failed', ready: false, available: false })],
    want: ['delete agent-a (failed)', 'create'],
  },
  { name: 'terminating pod: wait for it before creating', ds: ds(), pods: [pod('agent-a', 'new', { terminating: true })], want: [] },
  {
    name: 'nodeSelector not matched: no pod, existing deleted',
    ds: ds({ template: { spec: { containers: [{ name: 'c' }], nodeSelector: { disk: 'hdd' } } } }),
    pods: [pod('agent-a', 'new')],
    want: ['delete agent-a (misscheduled)'],
  },
  { name: 'nodeSelector matched', ds: ds({ template: { spec: { containers: [{ name: 'c' }], nodeSelector: { disk: 'ssd' } } } }), pods: [], want: ['create'] },
  {
    name: 'untolerated NoSchedule taint: no pod',
    ds: ds(),
    node: { ...NODE, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
    pods: [],
    want: [],
  },
  {
    name: 'tolerated taint: pod',
    ds: ds({ template: { spec: { containers: [{ name: 'c' }], tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] } } }),
    node: { ...NODE, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
    pods: [],
    want: ['create'],
  },
  { name: 'PreferNoSchedule never blocks', ds: ds(), node: { ...NODE, taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }, pods: [], want: ['create'] },
  { name: 'RollingUpdate (maxUnavailable 1): old pod deleted first', ds: ds(), pods: [pod('agent-a', 'old')], want: ['delete agent-a (update)'] },
  {
    name: 'RollingUpdate maxUnavailable 0 + maxSurge 1: new pod first',
    ds: ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }),
    pods: [pod('agent-a', 'old')],
    want: ['create'],
  },
  {
    name: 'surge: old pod kept until the new one is available',
    ds: ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }),
    pods: [pod('agent-a', 'old'), pod('agent-b', 'new', { ready: false, available: false })],
    want: [],
  },
  {
    name: 'surge: then the old one goes',
    ds: ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '100%' } } }),
    pods: [pod('agent-a', 'old'), pod('agent-b', 'new')],
    want: ['delete agent-a (update)'],
  },
  {
    name: 'maxUnavailable 0 without surge budget: an unavailable old pod is still replaced',
    ds: ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }),
    pods: [pod('agent-a', 'old', { phase: 'Pending', ready: false, available: false })],
    want: ['delete agent-a (update)'],
  },
  { name: 'OnDelete: the old pod stays', ds: ds({ updateStrategy: { type: 'OnDelete' } }), pods: [pod('agent-a', 'old')], want: [] },
  { name: 'OnDelete: a deleted pod is replaced (at the new revision)', ds: ds({ updateStrategy: { type: 'OnDelete' } }), pods: [], want: ['create'] },
];

for (const c of cases) {
  test(`planDaemonSet: ${c.name}`, () => {
    assert.deepEqual(brief(planDaemonSet(c.ds, c.node ?? NODE, c.pods, 'new').actions), c.want);
  });
}

test('status: desired, current, ready, up-to-date, available', () => {
  const running = planDaemonSet(ds(), NODE, [pod('agent-a', 'new')], 'new').status;
  assert.deepEqual(
    [
      running.desiredNumberScheduled,
      running.currentNumberScheduled,
      running.numberReady,
      running.updatedNumberScheduled,
      running.numberAvailable,
      running.numberUnavailable,
    ],
    [1, 1, 1, 1, 1, 0],
  );
  const old = planDaemonSet(ds(), NODE, [pod('agent-a', 'old', { ready: false, available: false, phase: 'Pending' })], 'new').status;
  assert.deepEqual([old.currentNumberScheduled, old.numberReady, old.updatedNumberScheduled, old.numberUnavailable], [1, 0, 0, 1]);
  const misfitStatus = planDaemonSet(
    ds({ template: { spec: { containers: [{ name: 'c' }], nodeSelector: { disk: 'hdd' } } } }),
    NODE,
    [pod('agent-a', 'new')],
    'new',
  );
  assert.deepEqual([misfitStatus.status.desiredNumberScheduled, misfitStatus.status.numberMisscheduled], [0, 1]);
  assert.match(misfitStatus.misfit ?? '', /nodeSelector disk=hdd/);
});

test('tolerates: the scheduler rules', () => {
  const taint = { key: 'k', value: 'v', effect: 'NoSchedule' as const };
  assert.equal(tolerates({ operator: 'Exists' }, taint), true);
  assert.equal(tolerates({ key: 'k', operator: 'Exists' }, taint), true);
  assert.equal(tolerates({ key: 'k', value: 'v' }, taint), true);
  assert.equal(tolerates({ key: 'k', value: 'w' }, taint), false);
  assert.equal(tolerates({ key: 'k', operator: 'Exists', effect: 'NoExecute' }, taint), false);
  assert.equal(tolerates({ key: 'other', operator: 'Exists' }, taint), false);
});

test('required node affinity: terms ORed, expressions ANDed, matchFields metadata.name', () => {
  const withAffinity = (terms: unknown[]) => ({
    containers: [{ name: 'c' }],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } },
  });
  assert.equal(misfit(withAffinity([{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }]), NODE), undefined);
  assert.match(misfit(withAffinity([{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['windows'] }] }]), NODE) ?? '', /affinity/);
  assert.equal(
    misfit(
      withAffinity([
        { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] },
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['host1'] }] },
      ]),
      NODE,
    ),
    undefined,
  );
  assert.match(misfit(withAffinity([{ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] }]), NODE) ?? '', /affinity/);
});

test('daemon pod template: labels, node, daemon tolerations added once', () => {
  const set = ds({
    template: {
      metadata: { labels: { app: 'agent' } },
      spec: {
        containers: [{ name: 'c' }],
        tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }],
      },
    },
  });
  const p = daemonPodTemplate(set, 'abc123', 'host1');
  assert.equal(daemonPodPrefix(set), 'agent-');
  assert.deepEqual(p.metadata?.labels, { app: 'agent', 'controller-revision-hash': 'abc123', 'pod-template-generation': '2' });
  assert.equal(p.spec.nodeName, 'host1');
  const keys = (p.spec.tolerations ?? []).map((t) => `${String(t['key'])}:${String(t['effect'])}`);
  assert.equal(keys.filter((k) => k === 'node.kubernetes.io/not-ready:NoExecute').length, 1);
  assert.equal(keys.length, 6);
  assert.equal((p.spec.tolerations ?? [])[0]?.['tolerationSeconds'], 10);
});
