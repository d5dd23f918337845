// Node-pressure eviction with a real memory hog: a BestEffort pod fills 40 MB of its /dev/shm (charged
// to its memory cgroup) beside a Guaranteed pod. The daemon is restarted with memory.available's hard
// threshold raised above the host's memory, so the node is under pressure for as long as the test wants
// without exhausting anything: the hog is evicted first (Failed, reason Evicted, a Warning event), the
// Guaranteed pod only at a later pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';
import { startDaemon } from '../helpers/daemon.js';

interface PodJson {
  status: { phase?: string; reason?: string; message?: string; qosClass?: string };
}

const MANIFEST = `apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  containers: [{name: c, image: busybox, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "head -c 41943040 /dev/zero > /dev/shm/fill; sleep 3600"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: steady}
spec:
  containers: [{name: c, image: busybox, imagePullPolicy: IfNotPresent, command: ["sleep", "3600"], resources: {limits: {cpu: 100m, memory: 32Mi}}}]
`;

test('memory pressure evicts the BestEffort hog before the Guaranteed pod, as Failed/Evicted with an event', { timeout: 120_000 }, async (t) => {
  const frame = await startPodTest(t);
  const { roots, env } = frame;
  await frame.apply('pods.yaml', MANIFEST);
  const applied = await runCli(env, ['apply', '-f', `${roots.dir}/pods.yaml`, '--wait']);
  assert.equal(applied.code, 0, applied.stderr);
  const status = async (name: string): Promise<PodJson['status'] | undefined> => (await frame.pod<PodJson>(name))?.status;
  assert.equal((await status('hog'))?.qosClass, 'BestEffort');
  assert.equal((await status('steady'))?.qosClass, 'Guaranteed');
  await waitFor(async () => (await runCli(env, ['exec', 'hog', '--', 'ls', '/dev/shm/fill'])).code === 0, {
    timeoutMs: 20_000,
    description: 'the hog to fill its memory',
  });

  // Containers outlive the daemon; the next one starts with the node "under pressure".
  await frame.daemon.stop();
  const daemon = await startDaemon(roots, { PEAPOD_EVICTION_HARD: 'memory.available<1000Gi' });
  t.after(() => daemon.stop().catch(() => undefined));
  const evicted = await waitFor(
    async () => {
      const s = await status('hog');
      return s?.phase === 'Failed' ? s : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, description: 'the hog to be evicted' },
  );
  assert.equal(evicted.reason, 'Evicted');
  assert.match(
    evicted.message ?? '',
    /^The node was low on resource: memory\. Threshold quantity: 1024000Mi, available: \d+Mi\. Pod hog \(BestEffort\) was using \d+Mi\.$/,
  );
  assert.equal((await status('steady'))?.phase, 'Running', 'one pod per pass, the lowest QoS first');
  const describe = await runCli(env, ['describe', 'pod', 'hog']);
  assert.match(describe.stdout, /Warning\s+Evicted\s.*The node was low on resource: memory/);
  await waitFor(async () => (await status('steady'))?.phase === 'Failed', { timeoutMs: 30_000, description: 'the next pass to evict the Guaranteed pod' });
  assert.match(daemon.output(), /eviction: memory\.available under pressure; evicting pod default\/hog/);

  assert.equal((await runCli(env, ['delete', 'pod', 'hog', 'steady', '--now'])).code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
