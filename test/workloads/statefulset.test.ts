// StatefulSet with real runc, as the Kubernetes "StatefulSet Basics" tutorial walks it: ordered creation
// (each pod only once its predecessor is Running and Ready), stable names and storage (a file written in
// web-1's volume is there again when web-1 is deleted and comes back), scale down from the highest
// ordinal keeping the claims, then the set and the claims deleted leaving no directory behind; and the
// Parallel policy creating every pod at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPodTest } from '../helpers/pod-test.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { waitFor } from '../helpers/wait.js';
import { claimNames, cli, isReady, listPods, statefulSetManifest, volumeDirectories, WAIT_MS } from './helpers.js';

test('StatefulSet: ordered start, stable storage across pod deletion, scale down, claims reclaimed', async (t) => {
  const pt = await startPodTest(t);
  const { env } = pt;
  await pt.apply('web.yaml', statefulSetManifest({ replicas: 3, readyAfter: 'sleep 2' }));

  // OrderedReady: in every snapshot, a pod exists only if its predecessor is Running and Ready.
  const firstSeen: string[] = [];
  const violations: string[] = [];
  await waitFor(
    async () => {
      const pods = await listPods(env);
      for (const name of ['web-0', 'web-1', 'web-2']) if (pods.has(name) && !firstSeen.includes(name)) firstSeen.push(name);
      for (const i of [1, 2])
        if (pods.has(`web-${i}`) && !isReady(pods.get(`web-${i - 1}`))) violations.push(`web-${i} existed while web-${i - 1} was not ready`);
      return ['web-0', 'web-1', 'web-2'].every((n) => isReady(pods.get(n)));
    },
    { timeoutMs: WAIT_MS, intervalMs: 100, description: 'web-0..2 to be Running and Ready' },
  );
  assert.deepEqual(violations, []);
  assert.deepEqual(firstSeen, ['web-0', 'web-1', 'web-2']);

  const pods = await listPods(env);
  const web1 = pods.get('web-1');
  assert.equal(web1?.spec.hostname, 'web-1');
  assert.equal(web1?.spec.subdomain, 'web');
  assert.equal(web1?.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'web-1');
  assert.equal(web1?.metadata.labels?.['apps.kubernetes.io/pod-index'], '1');
  assert.deepEqual(await claimNames(env), ['data-web-0', 'data-web-1', 'data-web-2']);
  const getSts = await cli(env, ['get', 'sts']);
  assert.match(getSts, /^NAME\s+READY\s+AGE\n/);
  assert.match(getSts, /\nweb\s+3\/3\s+\S+\n/);
  assert.match(await cli(env, ['get', 'pvc']), /data-web-1\s+Bound\s+pvc-[0-9a-f-]+\s+1Gi\s+RWO\s+local-path/);

  // Stable storage: what web-1 wrote is there when web-1 is deleted and re-created.
  await cli(env, ['exec', 'web-1', '--', 'sh', '-c', 'echo kept > /data/file']);
  await cli(env, ['delete', 'pod', 'web-1']);
  await waitFor(
    async () => {
      const p = (await listPods(env)).get('web-1');
      return p !== undefined && p.metadata.uid !== web1?.metadata.uid && isReady(p);
    },
    { timeoutMs: WAIT_MS, intervalMs: 200, description: 'web-1 to come back' },
  );
  assert.equal((await cli(env, ['exec', 'web-1', '--', 'cat', '/data/file'])).trim(), 'kept');

  // Scale down: web-2 goes first, its claim stays.
  await pt.apply('web.yaml', statefulSetManifest({ replicas: 1, readyAfter: 'sleep 2' }));
  const outOfOrder: string[] = [];
  await waitFor(
    async () => {
      const names = await listPods(env);
      if (!names.has('web-1') && names.has('web-2')) outOfOrder.push('web-1 went before web-2');
      return !names.has('web-1') && !names.has('web-2');
    },
    { timeoutMs: WAIT_MS, intervalMs: 100, description: 'web-1 and web-2 to be gone' },
  );
  assert.deepEqual(outOfOrder, []);
  assert.deepEqual(await claimNames(env), ['data-web-0', 'data-web-1', 'data-web-2']);
  // The controller's own record of the order: web-2's deletion before web-1's.
  const deletions = (await cli(env, ['describe', 'sts', 'web'])).split('\n').filter((l) => /SuccessfulDelete/.test(l));
  assert.deepEqual(
    deletions.map((l) => /delete Pod (web-\d)/.exec(l)?.[1]),
    ['web-2', 'web-1'],
  );

  // The set goes, the claims stay (whenDeleted: Retain); the claims go, and with them the directories.
  await cli(env, ['delete', 'sts', 'web']);
  await waitFor(async () => (await listPods(env)).size === 0, { timeoutMs: WAIT_MS, description: 'the set’s pods to be gone' });
  assert.equal((await volumeDirectories(pt.roots.config)).length, 3);
  await cli(env, ['delete', 'pvc', 'data-web-0', 'data-web-1', 'data-web-2']);
  await waitFor(async () => (await volumeDirectories(pt.roots.config)).length === 0 && (await claimNames(env)).length === 0, {
    timeoutMs: WAIT_MS,
    description: 'the claims and their directories to be gone',
  });
  assert.doesNotMatch(await cli(env, ['get', 'pv']), /pvc-/);
  await pt.daemon.stop();
  await assertNoLeaks(pt.roots.config);
});

test('StatefulSet: Parallel creates every pod without waiting for readiness', async (t) => {
  const pt = await startPodTest(t);
  const { env } = pt;
  // Never ready: OrderedReady would stop at web-0.
  await pt.apply('par.yaml', statefulSetManifest({ name: 'par', replicas: 3, policy: 'Parallel', readyAfter: 'sleep 100000' }));
  await waitFor(
    async () => {
      const pods = await listPods(env);
      return ['par-0', 'par-1', 'par-2'].every((n) => pods.get(n)?.status?.phase === 'Running');
    },
    { timeoutMs: WAIT_MS, intervalMs: 200, description: 'par-0..2 to run' },
  );
  const pods = await listPods(env);
  assert.equal([...pods.values()].filter(isReady).length, 0);
  await cli(env, ['delete', 'sts', 'par']);
  await cli(env, ['delete', 'pvc', 'data-par-0', 'data-par-1', 'data-par-2']);
  await waitFor(async () => (await listPods(env)).size === 0 && (await volumeDirectories(pt.roots.config)).length === 0, {
    timeoutMs: WAIT_MS,
    description: 'pods and volumes to be gone',
  });
  await pt.daemon.stop();
  await assertNoLeaks(pt.roots.config);
});
