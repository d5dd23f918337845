// DaemonSet with real runc: one pod on this node, bound to it by name; a template change rolls it
// (RollingUpdate, maxUnavailable 1: the old pod goes, then the new one comes); a nodeSelector this node
// does not match runs nothing; deleting the sets removes their pods and leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeName } from '../../src/common/node-identity.js';
import { startPodTest } from '../helpers/pod-test.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { waitFor } from '../helpers/wait.js';
import { cli, daemonSetManifest, isReady, listPods, WAIT_MS, type PodJson } from './helpers.js';

const agents = async (env: NodeJS.ProcessEnv): Promise<PodJson[]> => [...(await listPods(env)).values()].filter((p) => p.metadata.name.startsWith('agent-'));

test('DaemonSet: one pod on this node, rolled to a new template, none where the node does not fit', async (t) => {
  const pt = await startPodTest(t);
  const { env } = pt;
  await pt.apply('agent.yaml', daemonSetManifest({ name: 'agent', version: '1' }));
  const [first] = await waitFor(
    async () => {
      const pods = await agents(env);
      return pods.length === 1 && isReady(pods[0]) ? pods : undefined;
    },
    { timeoutMs: WAIT_MS, intervalMs: 200, description: 'the agent pod to be ready' },
  );
  assert.equal(first?.spec.nodeName, nodeName());
  const oldHash = first?.metadata.labels?.['controller-revision-hash'];
  assert.ok(oldHash);
  await waitFor(async () => /\nagent\s+1\s+1\s+1\s+1\s+1\s+<none>\s+\S+\n/.test(await cli(env, ['get', 'ds'])), {
    timeoutMs: WAIT_MS,
    description: 'get ds to show 1 desired, current, ready, up-to-date, available',
  });
  assert.match(await cli(env, ['get', 'daemonsets']), /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\n/);

  // RollingUpdate with maxUnavailable 1 and no surge: never two agents ready at once.
  await pt.apply('agent.yaml', daemonSetManifest({ name: 'agent', version: '2' }));
  let twoReady = false;
  const [rolled] = await waitFor(
    async () => {
      const pods = await agents(env);
      if (pods.filter(isReady).length > 1) twoReady = true;
      return pods.length === 1 && isReady(pods[0]) && pods[0]?.metadata.labels?.['controller-revision-hash'] !== oldHash ? pods : undefined;
    },
    { timeoutMs: WAIT_MS, intervalMs: 200, description: 'the agent to roll to the new template' },
  );
  assert.equal(twoReady, false);
  assert.notEqual(rolled?.metadata.name, first?.metadata.name);
  assert.match(await cli(env, ['describe', 'ds', 'agent']), /Number of Nodes Scheduled with Up-to-date Pods: 1/);

  // A nodeSelector this node does not match: desired 0, no pod.
  await pt.apply('picky.yaml', daemonSetManifest({ name: 'picky', version: '1', nodeSelector: { disktype: 'none-here' } }));
  await waitFor(async () => /\npicky\s+0\s+0\s+0\s+0\s+0\s+disktype=none-here\s+\S+\n/.test(await cli(env, ['get', 'ds'])), {
    timeoutMs: WAIT_MS,
    description: 'picky to want no pod',
  });
  assert.equal([...(await listPods(env)).keys()].filter((n) => n.startsWith('picky-')).length, 0);

  await cli(env, ['delete', 'ds', 'agent']);
  await cli(env, ['delete', 'ds', 'picky']);
  await waitFor(async () => (await listPods(env)).size === 0, { timeoutMs: WAIT_MS, description: 'the agent pod to be gone' });
  await pt.daemon.stop();
  await assertNoLeaks(pt.roots.config);
});
