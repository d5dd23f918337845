// A daemon killed (SIGKILL) in the middle of a Deployment's rolling update: the controllers are
// level-triggered over the stored Deployment, ReplicaSets and pods, so the restarted daemon carries the
// rollout on from where the store is, to exactly the new template's replicas, and a delete then leaves
// nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeaks, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';
import { startDaemon } from '../helpers/daemon.js';
import { deploymentManifest, hashOf, isTerminating, Workloads } from '../workloads/deployment-helpers.js';

const WAIT_MS = 120_000;

test('a daemon killed mid-rollout resumes the rollout after its restart and completes it', { timeout: 300_000 }, async (t) => {
  const pt = await startPodTest(t);
  const w = new Workloads(pt.roots.config.socket, pt.env);
  // maxUnavailable 0: the rollout waits for each new pod's readiness (6 s), so it is caught in the middle.
  const manifest = (version: string): string =>
    deploymentManifest({ name: 'crash', replicas: 3, version, strategy: { maxSurge: 1, maxUnavailable: 0 }, readyAfter: 6 });
  await pt.apply('v1.yaml', manifest('v1'));
  await w.cli('rollout', 'status', 'deployment/crash', '--timeout=120s');
  const v1Hash = hashOf((await w.pods())[0] as never);
  await pt.apply('v2.yaml', manifest('v2'));
  const newPods = await waitFor(
    async () => {
      const fresh = (await w.pods()).filter((p) => hashOf(p) !== v1Hash);
      return fresh.length > 0 ? fresh : undefined;
    },
    { timeoutMs: WAIT_MS, intervalMs: 50, description: 'the first new pod' },
  );
  await pt.daemon.kill();
  assert.ok(newPods.length < 3, `killed in the middle of the rollout (${newPods.length} new pods)`);

  const daemon = await startDaemon(pt.roots);
  t.after(() => daemon.stop().catch(() => undefined));
  const status = await w.cli('rollout', 'status', 'deployment/crash', '--timeout=120s').catch((err: unknown) => {
    // What the restarted daemon did is the first thing to read when this fails.
    throw new Error(`${String(err)}\nrestarted daemon's log:\n${daemon.output()}`);
  });
  assert.match(status, /deployment "crash" successfully rolled out\n$/);
  const live = await waitFor(
    async () => {
      const pods = await w.pods();
      return pods.every((p) => !isTerminating(p)) && pods.length === 3 ? pods : undefined;
    },
    { timeoutMs: WAIT_MS, description: 'only the 3 new pods' },
  );
  assert.ok(live.every((p) => hashOf(p) !== v1Hash && p.pod.spec.containers[0]?.env?.[0]?.value === 'v2'));
  const sets = await w.replicaSets();
  assert.deepEqual(sets.map((rs) => rs.spec.replicas).sort(), [0, 3]);
  const d = await w.deployment('crash');
  assert.deepEqual([d.status?.replicas, d.status?.updatedReplicas, d.status?.availableReplicas], [3, 3, 3]);

  await w.cli('delete', 'deployment', 'crash');
  await waitFor(async () => (await w.pods()).length === 0 && (await w.replicaSets()).length === 0, { timeoutMs: WAIT_MS, description: 'everything deleted' });
  await daemon.stop();
  await assertNoLeaks(pt.roots.config);
});
