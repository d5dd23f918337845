// Deployments on real runc, as the Kubernetes documentation's Deployment page walks through them: a
// Deployment comes up, scales up and down (the ReplicaSet deleting not-ready pods first, then the ones
// ready for the shortest time), rolls out a new template without dropping below replicas - maxUnavailable
// ready pods, rolls back, recreates, and is deleted with each propagation policy leaving nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeaks, waitFor } from '../helpers/leaks.js';
import { startPodTest, type PodTest } from '../helpers/pod-test.js';
import { deploymentManifest, hashOf, isReady, isTerminating, samplePods, Workloads } from './deployment-helpers.js';

const ROLLOUT_TIMEOUT = '120s';
const WAIT_MS = 60_000;

async function setUp(t: { after: (fn: () => Promise<void>) => void }): Promise<{ pt: PodTest; w: Workloads }> {
  const pt = await startPodTest(t);
  return { pt, w: new Workloads(pt.roots.config.socket, pt.env) };
}

async function expectNothingLeft(pt: PodTest, w: Workloads): Promise<void> {
  await waitFor(async () => (await w.pods()).length === 0 && (await w.replicaSets()).length === 0, {
    timeoutMs: WAIT_MS,
    description: 'no pods and no replicasets',
  });
  await pt.daemon.stop();
  await assertNoLeaks(pt.roots.config);
}

test('a Deployment comes up, scales up, and scales down not-ready pods first, then the most recently ready', async (t) => {
  const { pt, w } = await setUp(t);
  await pt.apply('web.yaml', deploymentManifest({ name: 'web', replicas: 2, version: 'v1', strategy: { maxSurge: 1, maxUnavailable: 0 } }));
  const running = async (n: number): Promise<string[]> =>
    (
      await waitFor(
        async () => {
          const pods = (await w.pods()).filter((p) => !isTerminating(p) && p.pod.status.phase === 'Running');
          return pods.length === n ? pods : undefined;
        },
        { timeoutMs: WAIT_MS, description: `${n} running pods` },
      )
    ).map((p) => p.pod.metadata.name);
  const [a = '', b = ''] = await running(2);
  assert.match(await w.cli('get', 'deployments'), /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/2\s+2\s+0\s+\d+s\n$/);
  // Ready one after the other: a has been ready longer than b.
  const makeReady = async (pod: string): Promise<void> => {
    await w.cli('exec', pod, '--', 'touch', '/tmp/ready');
    await waitFor(async () => (await w.pods()).some((p) => p.pod.metadata.name === pod && isReady(p)), { timeoutMs: WAIT_MS, description: `${pod} ready` });
  };
  await makeReady(a);
  await makeReady(b);
  const d = await waitFor(async () => ((await w.deployment('web')).status?.availableReplicas === 2 ? w.deployment('web') : undefined), {
    timeoutMs: WAIT_MS,
    description: '2 available',
  });
  assert.deepEqual(
    { replicas: d.status?.replicas, ready: d.status?.readyReplicas, updated: d.status?.updatedReplicas, observed: d.status?.observedGeneration },
    { replicas: 2, ready: 2, updated: 2, observed: d.metadata.generation },
  );
  assert.deepEqual(
    d.status?.conditions?.map((c) => [c.type, c.status, c.reason]),
    [
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ],
  );
  const rs = (await w.replicaSets())[0];
  assert.ok(rs);
  assert.equal(rs.metadata.name, `web-${rs.metadata.labels?.['pod-template-hash'] ?? ''}`);
  assert.match(await w.cli('get', 'rs'), new RegExp(`^NAME\\s+DESIRED\\s+CURRENT\\s+READY\\s+AGE\\n${rs.metadata.name}\\s+2\\s+2\\s+2\\s+`));

  assert.equal(await w.cli('scale', 'deployment/web', '--replicas=3'), 'deployment.apps/web scaled\n');
  const c = (await running(3)).find((n) => n !== a && n !== b) ?? '';
  await w.cli('scale', 'deployment/web', '--replicas=2');
  const remaining = async (n: number): Promise<string[]> =>
    (
      await waitFor(
        async () => {
          const live = (await w.pods()).filter((p) => !isTerminating(p)).map((p) => p.pod.metadata.name);
          return live.length === n ? live : undefined;
        },
        { timeoutMs: WAIT_MS, description: `${n} pods left` },
      )
    ).sort();
  assert.deepEqual(await remaining(2), [a, b].sort(), 'the not-ready pod goes first');
  await w.cli('scale', 'deployment/web', '--replicas=1');
  assert.deepEqual(await remaining(1), [a], 'then the pod ready for the shortest time');
  assert.notEqual(c, '');

  assert.equal(await w.cli('delete', 'deployment', 'web'), 'deployment.apps "web" deleted\n');
  await expectNothingLeft(pt, w);
});

test('a rolling update keeps replicas - maxUnavailable pods ready and at most replicas + maxSurge; history, undo, foreground delete', async (t) => {
  const { pt, w } = await setUp(t);
  const manifest = (version: string): string =>
    deploymentManifest({ name: 'roll', replicas: 3, version, strategy: { maxSurge: 1, maxUnavailable: 1 }, readyAfter: 1 });
  await pt.apply('v1.yaml', manifest('v1'));
  await w.cli('rollout', 'status', 'deployment/roll', `--timeout=${ROLLOUT_TIMEOUT}`);
  const v1Hash = hashOf((await w.pods())[0] ?? ((await w.pods())[0] as never));

  const sampler = samplePods(w, 100);
  await pt.apply('v2.yaml', manifest('v2'));
  const status = await w.cli('rollout', 'status', 'deployment/roll', `--timeout=${ROLLOUT_TIMEOUT}`);
  const samples = await sampler.stop();
  assert.match(status, /deployment "roll" successfully rolled out\n$/);
  assert.ok(samples.length > 5, `sampled the rollout (${samples.length} samples)`);
  const readyCounts = samples.map((s) => s.filter((p) => !isTerminating(p) && isReady(p)).length);
  const liveCounts = samples.map((s) => s.filter((p) => !isTerminating(p)).length);
  assert.ok(Math.min(...readyCounts) >= 2, `ready pods never below 3 - 1 (saw ${readyCounts.join(',')})`);
  assert.ok(Math.max(...liveCounts) <= 4, `pods never above 3 + 1 (saw ${liveCounts.join(',')})`);
  assert.ok(
    samples.some((s) => s.some((p) => hashOf(p) !== v1Hash)) && samples.some((s) => s.some((p) => hashOf(p) === v1Hash && !isTerminating(p))),
    'the samples span the rollout',
  );

  const d = await w.deployment('roll');
  assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
  assert.deepEqual([d.status?.replicas, d.status?.updatedReplicas, d.status?.readyReplicas, d.status?.availableReplicas], [3, 3, 3, 3]);
  const live = (await w.pods()).filter((p) => !isTerminating(p));
  assert.equal(live.length, 3);
  assert.ok(live.every((p) => hashOf(p) !== v1Hash && p.pod.spec.containers[0]?.env?.[0]?.value === 'v2'));
  assert.match(await w.cli('rollout', 'history', 'deployment/roll'), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);

  assert.equal(await w.cli('rollout', 'undo', 'deployment/roll'), 'deployment.apps/roll rolled back\n');
  await w.cli('rollout', 'status', 'deployment/roll', `--timeout=${ROLLOUT_TIMEOUT}`);
  const back = await w.deployment('roll');
  assert.equal(back.spec.template.spec.containers[0]?.env?.[0]?.value, 'v1');
  assert.equal(back.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
  const v1Rs = (await w.replicaSets()).find((rs) => rs.metadata.labels?.['pod-template-hash'] === v1Hash);
  assert.equal(v1Rs?.metadata.annotations?.['deployment.kubernetes.io/revision'], '3', 'the v1 ReplicaSet is reused as revision 3');
  assert.match(await w.cli('rollout', 'history', 'deployment/roll'), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);

  // Foreground: the deployment is gone only after its ReplicaSets, which wait for their pods.
  await w.cli('delete', 'deployment', 'roll', '--cascade=foreground');
  assert.deepEqual(await w.pods(), []);
  assert.deepEqual(await w.replicaSets(), []);
  await expectNothingLeft(pt, w);
});

test('Recreate never runs old and new pods together; an orphaning delete keeps the ReplicaSet and its pods', async (t) => {
  const { pt, w } = await setUp(t);
  const manifest = (version: string): string => deploymentManifest({ name: 'rec', replicas: 2, version, strategy: 'Recreate', readyAfter: 0 });
  await pt.apply('v1.yaml', manifest('v1'));
  await w.cli('rollout', 'status', 'deployment/rec', `--timeout=${ROLLOUT_TIMEOUT}`);
  const v1Hash = hashOf((await w.pods())[0] as never);
  const sampler = samplePods(w, 100);
  await pt.apply('v2.yaml', manifest('v2'));
  await w.cli('rollout', 'status', 'deployment/rec', `--timeout=${ROLLOUT_TIMEOUT}`);
  const samples = await sampler.stop();
  for (const s of samples) {
    const hashes = new Set(s.map(hashOf));
    assert.ok(!(hashes.has(v1Hash) && hashes.size > 1), `old and new pods together: ${s.map((p) => `${p.pod.metadata.name}:${p.displayStatus}`).join(' ')}`);
  }

  assert.equal(await w.cli('delete', 'deploy/rec', '--cascade=orphan'), 'deployment.apps "rec" deleted\n');
  await assert.rejects(w.deployment('rec'), /not found/);
  const sets = await w.replicaSets();
  assert.equal(sets.length, 2, 'both ReplicaSets stay');
  assert.ok(
    sets.every((rs) => (rs.metadata.ownerReferences ?? []).length === 0),
    'freed from the deployment',
  );
  const pods = (await w.pods()).filter((p) => !isTerminating(p));
  assert.equal(pods.length, 2, 'the pods keep running');
  const v2Rs = sets.find((rs) => rs.spec.replicas === 2);
  assert.ok(v2Rs);
  assert.ok(
    pods.every((p) => p.pod.metadata.ownerReferences?.[0]?.uid === v2Rs.metadata.uid),
    'the pods still belong to their ReplicaSet',
  );
  for (const rs of sets) await w.cli('delete', 'rs', rs.metadata.name);
  await expectNothingLeft(pt, w);
});
