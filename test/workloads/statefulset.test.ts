// StatefulSet with real runc, as the Kubernetes "StatefulSet Basics" tutorial walks it: ordered creation
// (each pod only once its predecessor is Running and Ready), stable names and storage (a file written in
// web-1's volume is there again when web-1 is deleted and comes back), scale down from the highest
// ordinal keeping the claims, then the set and the claims deleted leaving no directory behind; and the
// Parallel policy creating every pod at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { paths } from '../../src/common/config.js';
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
  assert.equal(await cli(env, ['scale', 'statefulset/web', '--replicas=1']), 'statefulset.apps/web scaled\n');
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

test('StatefulSet: RollingUpdate from the highest ordinal down to the partition; whenDeleted Delete removes the claims', async (t) => {
  const pt = await startPodTest(t);
  const { env } = pt;
  const manifest = (version: string, partition: number): string =>
    statefulSetManifest({ name: 'roll', replicas: 3, policy: 'Parallel', version, partition, whenDeleted: 'Delete' });
  const revisions = async (): Promise<(string | undefined)[]> => {
    const pods = await listPods(env);
    return ['roll-0', 'roll-1', 'roll-2'].map((n) => (isReady(pods.get(n)) ? pods.get(n)?.metadata.labels?.['controller-revision-hash'] : undefined));
  };
  await pt.apply('roll.yaml', manifest('1', 0));
  const [v1] = await waitFor(async () => ((await revisions()).every((r) => r !== undefined) ? await revisions() : undefined), {
    timeoutMs: WAIT_MS,
    intervalMs: 200,
    description: 'roll-0..2 to be ready',
  });

  // partition 1: roll-2 then roll-1 move to the new revision, roll-0 stays.
  await pt.apply('roll.yaml', manifest('2', 1));
  const [old0, new1, new2] = await waitFor(
    async () => {
      const r = await revisions();
      return r[1] !== undefined && r[1] !== v1 && r[2] === r[1] && r[0] === v1 ? r : undefined;
    },
    { timeoutMs: WAIT_MS, intervalMs: 200, description: 'roll-1 and roll-2 to be updated, roll-0 not' },
  );
  assert.equal(old0, v1);
  assert.equal(new1, new2);
  const status = JSON.parse(await cli(env, ['get', 'sts', 'roll', '-o', 'json'])) as { status: Record<string, unknown> };
  assert.equal(status.status['currentRevision'], v1);
  assert.equal(status.status['updateRevision'], new2);
  assert.equal(status.status['updatedReplicas'], 2);

  // partition 0: roll-0 follows; the update revision becomes the current one.
  await pt.apply('roll.yaml', manifest('2', 0));
  await waitFor(async () => (await revisions()).every((r) => r === new2), { timeoutMs: WAIT_MS, intervalMs: 200, description: 'roll-0 to be updated' });
  await waitFor(async () => (JSON.parse(await cli(env, ['get', 'sts', 'roll', '-o', 'json'])) as typeof status).status['currentRevision'] === new2, {
    timeoutMs: WAIT_MS,
    description: 'currentRevision to become the update revision',
  });
  const deletions = (await cli(env, ['describe', 'sts', 'roll']))
    .split('\n')
    .filter((l) => /SuccessfulDelete/.test(l))
    .map((l) => /delete Pod (roll-\d)/.exec(l)?.[1]);
  assert.deepEqual(deletions, ['roll-2', 'roll-1', 'roll-0']);

  // whenDeleted: Delete: the claims belong to the set and go with it, and their directories with them.
  await cli(env, ['delete', 'sts', 'roll']);
  await waitFor(async () => (await claimNames(env)).length === 0 && (await volumeDirectories(pt.roots.config)).length === 0, {
    timeoutMs: WAIT_MS,
    description: 'the claims and their directories to go with the set',
  });
  await waitFor(async () => (await listPods(env)).size === 0, { timeoutMs: WAIT_MS, description: 'the pods to be gone' });
  await pt.daemon.stop();
  await assertNoLeaks(pt.roots.config);
});

test('claims: a pod waits for a missing or unprovisionable claim, with events saying why', async (t) => {
  const pt = await startPodTest(t);
  const { env } = pt;
  await pt.apply(
    'waiter.yaml',
    `apiVersion: v1
kind: Pod
metadata: { name: waiter }
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: docker.io/library/busybox:latest
      imagePullPolicy: IfNotPresent
      command: ["sleep", "1000"]
      volumeMounts: [{ name: data, mountPath: /data }]
  volumes:
    - name: data
      persistentVolumeClaim: { claimName: fast-data }
`,
  );
  await waitFor(async () => /persistentvolumeclaim "fast-data": not found/.test(await cli(env, ['describe', 'pod', 'waiter'])), {
    timeoutMs: WAIT_MS,
    description: 'the pod to say its claim is missing',
  });
  await pt.apply(
    'fast.yaml',
    `apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: fast-data }
spec:
  storageClassName: fast
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1Gi } }
`,
  );
  await waitFor(async () => /ProvisioningFailed\s+.*storageclass.storage.k8s.io "fast" not found/.test(await cli(env, ['describe', 'pvc', 'fast-data'])), {
    timeoutMs: WAIT_MS,
    description: 'the claim to say its class does not exist',
  });
  await waitFor(async () => /persistentvolumeclaim "fast-data": not bound yet \(Pending\)/.test(await cli(env, ['describe', 'pod', 'waiter'])), {
    timeoutMs: WAIT_MS,
    description: 'the pod to say its claim is not bound',
  });
  assert.equal((await listPods(env)).get('waiter')?.status?.phase, 'Pending');
  assert.match(await cli(env, ['get', 'pvc', 'fast-data']), /fast-data\s+Pending\s+fast\s/);
  await cli(env, ['delete', 'pod', 'waiter']);
  await cli(env, ['delete', 'pvc', 'fast-data']);
  assert.equal((await volumeDirectories(pt.roots.config)).length, 0);
  await pt.daemon.stop();
  await assertNoLeaks(pt.roots.config);
});

test('claims: protected while a pod uses them; Retain keeps the volume Released with its data', async (t) => {
  const pt = await startPodTest(t);
  const { env } = pt;
  await pt.apply(
    'keep.yaml',
    `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: keep
  annotations: { peapod.io/reclaim-policy: Retain }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 100Mi } }
---
apiVersion: v1
kind: Pod
metadata: { name: user }
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: c
      image: docker.io/library/busybox:latest
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "echo kept > /data/file; trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]
      volumeMounts: [{ name: data, mountPath: /data }]
  volumes:
    - name: data
      persistentVolumeClaim: { claimName: keep }
`,
  );
  await waitFor(async () => isReady((await listPods(env)).get('user')), { timeoutMs: WAIT_MS, description: 'the pod to run on its claim' });
  const described = await cli(env, ['describe', 'pvc', 'keep']);
  assert.match(described, /Status:\s+Bound/);
  assert.match(described, /Used By:\s+user/);
  const volume = /Volume:\s+(pvc-\S+)/.exec(described)?.[1] ?? '';

  // pvc-protection: the claim waits for its pod.
  await cli(env, ['delete', 'pvc', 'keep', '--no-wait']);
  assert.match(await cli(env, ['describe', 'pvc', 'keep']), /Status:\s+Terminating/);
  await cli(env, ['delete', 'pod', 'user']);
  await waitFor(async () => (await claimNames(env)).length === 0, { timeoutMs: WAIT_MS, description: 'the claim to go once its pod has' });

  // Retain: the volume stays, Released, with its data.
  await waitFor(async () => new RegExp(`${volume}\\s+100Mi\\s+RWO\\s+Retain\\s+Released\\s+default/keep`).test(await cli(env, ['get', 'pv'])), {
    timeoutMs: WAIT_MS,
    description: 'the volume to be Released',
  });
  const directory = join(paths(pt.roots.config).localPath, volume);
  assert.equal((await readFile(join(directory, 'file'), 'utf8')).trim(), 'kept');
  await cli(env, ['delete', 'pv', volume]);
  assert.equal((await readFile(join(directory, 'file'), 'utf8')).trim(), 'kept');
  // Retained data is the user's to remove.
  await rm(directory, { recursive: true });
  await pt.daemon.stop();
  await assertNoLeaks(pt.roots.config);
});
