// Pods in their cgroups, on whichever layout the host has (v1 here; pure v2 in the guest of
// scripts/test-v2.sh): `peapod info` names the layout and its controllers; the demo pod, a Guaranteed
// and a BestEffort pod each land in the kubelet's QoS cgroup with their limits in the cgroup files and
// in `describe`; a memory hog is OOMKilled; deleting the pods leaves no cgroup behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';
import { cgroupLayout, cgroupOfPid, cpuWeightOf, expectedCpuWeight, readCgroupLimits } from '../helpers/cgroupfs.js';

const DEMO = fileURLToPath(new URL('../../../examples/demo-pod.yaml', import.meta.url));
const MiB = 1024 * 1024;

const MANIFEST = `
apiVersion: v1
kind: Pod
metadata: { name: gold }
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: main
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sleep", "3600"]
      resources:
        limits: { cpu: 200m, memory: 32Mi }
---
apiVersion: v1
kind: Pod
metadata: { name: free }
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: main
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata: { name: hog }
spec:
  restartPolicy: Never
  containers:
    - name: hog
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "x=$(head -c 67108864 /dev/zero | tr '\\\\0' a); echo survived"]
      resources:
        limits: { memory: 16Mi }
`;

interface PodItem {
  metadata: { name: string; uid: string };
  status: {
    phase: string;
    qosClass?: string;
    containerStatuses?: { name: string; ready: boolean; state: { terminated?: { reason?: string; exitCode?: number } } }[];
  };
}

const QOS_DIR: Record<string, string> = { Guaranteed: '', Burstable: '/burstable', BestEffort: '/besteffort' };

test('pods in their QoS cgroups with their limits, OOMKilled, nothing left after delete', { timeout: 1_200_000 }, async (t) => {
  const layout = await cgroupLayout();
  const podTest = await startPodTest(t);
  const { roots, env, daemon } = podTest;
  const info = await runCli(env, ['info']);
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout, new RegExp(`^Cgroup version:\\s+${layout}$`, 'm'));
  const controllers = /^Cgroup ctrls:\s+(.*)$/m.exec(info.stdout)?.[1]?.split(' ') ?? [];
  for (const c of ['cpu', 'memory', 'pids']) assert.ok(controllers.includes(c), `${c} in ${info.stdout}`);
  assert.doesNotMatch(info.stdout, /^ERROR:/m);

  await podTest.apply('demo.yaml', await readFile(DEMO, 'utf8'));
  await podTest.apply('pods.yaml', MANIFEST);
  const pods = await waitFor(
    async () => {
      const r = await runCli(env, ['get', 'pods', '-o', 'json']);
      const items = (JSON.parse(r.stdout) as { items: PodItem[] }).items;
      const byName = new Map(items.map((p) => [p.metadata.name, p]));
      const up = ['demo', 'gold', 'free'].every((n) => byName.get(n)?.status.containerStatuses?.every((c) => c.ready) === true);
      const hogDone = byName.get('hog')?.status.containerStatuses?.[0]?.state.terminated !== undefined;
      return up && hogDone ? byName : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 500, description: 'demo, gold and free running, hog terminated' },
  );
  const pod = (name: string): PodItem => pods.get(name) as PodItem;
  assert.deepEqual(
    ['demo', 'gold', 'free', 'hog'].map((n) => pod(n).status.qosClass),
    ['Burstable', 'Guaranteed', 'BestEffort', 'Burstable'],
  );

  // A memory hog is OOMKilled (v2: memory.events oom_kill of its cgroup), exit 137.
  const hog = pod('hog').status.containerStatuses?.[0]?.state.terminated;
  assert.equal(hog?.reason, 'OOMKilled', JSON.stringify(hog));
  assert.equal(hog?.exitCode, 137);

  const podCgroup = (name: string): string =>
    `${roots.config.cgroupRoot}/kubepods${QOS_DIR[pod(name).status.qosClass ?? ''] ?? '?'}/pod${pod(name).metadata.uid}`;
  const containerCgroups = async (name: string): Promise<string[]> => {
    const d = await runCli(env, ['describe', 'pod', name]);
    assert.equal(d.code, 0, d.stderr);
    const pids = [...d.stdout.matchAll(/^\s+PID:\s+(\d+)$/gm)].map((m) => Number(m[1]));
    return Promise.all(pids.map((p) => cgroupOfPid(p)));
  };

  // The demo pod (Burstable): web's requests and limits in its cgroup files and in describe.
  const demoDescribe = await runCli(env, ['describe', 'pod', 'demo']);
  const [web, writer] = await containerCgroups('demo');
  for (const c of [web, writer]) assert.ok(c?.startsWith(`${podCgroup('demo')}/`), `${c ?? ''} under ${podCgroup('demo')}`);
  const webLimits = await readCgroupLimits(web ?? '');
  assert.deepEqual(
    [webLimits.memoryLimitBytes, webLimits.cpuQuotaUs, webLimits.cpuPeriodUs, cpuWeightOf(webLimits)],
    [64 * MiB, 25_000, 100_000, expectedCpuWeight(layout, 102)],
    'web: 64Mi, 250m, and the weight of a 100m request',
  );
  assert.equal((await readCgroupLimits(writer ?? '')).memoryLimitBytes, 32 * MiB);
  if (layout === 'v2') {
    assert.equal(webLimits.memoryOomGroup, 1, 'memory.oom.group as the kubelet sets it');
    // memory.swap.max exists where the kernel accounts swap (the guest's does); the kubelet's NoSwap is 0.
    if (webLimits.memorySwapMax !== undefined) assert.equal(webLimits.memorySwapMax, '0');
  }
  const weightText = layout === 'v1' ? 'cpu.shares=102' : `cpu.weight=${String(expectedCpuWeight('v2', 102).cpuWeight ?? '?')}`;
  assert.match(demoDescribe.stdout, new RegExp(`Limits:\\s+${weightText}\\s+cpu\\.quota=25000/100000us\\s+memory\\.limit=67108864 `), demoDescribe.stdout);
  // The pod cgroup: both containers have memory limits, so the pod has their sum (64Mi + 32Mi).
  assert.equal((await readCgroupLimits(podCgroup('demo'))).memoryLimitBytes, 96 * MiB);

  // Guaranteed directly under kubepods, BestEffort under kubepods/besteffort with the minimum weight.
  const [gold] = await containerCgroups('gold');
  assert.ok(gold?.startsWith(`${podCgroup('gold')}/`), `${gold ?? ''} under ${podCgroup('gold')}`);
  const goldPod = await readCgroupLimits(podCgroup('gold'));
  assert.deepEqual([goldPod.memoryLimitBytes, goldPod.cpuQuotaUs, cpuWeightOf(goldPod)], [32 * MiB, 20_000, expectedCpuWeight(layout, 204)]);
  const [free] = await containerCgroups('free');
  assert.ok(free?.startsWith(`${podCgroup('free')}/`), `${free ?? ''} under ${podCgroup('free')}`);
  const freePod = await readCgroupLimits(podCgroup('free'));
  assert.deepEqual([freePod.memoryLimitBytes, freePod.cpuQuotaUs, cpuWeightOf(freePod)], [undefined, undefined, expectedCpuWeight(layout, 2)]);

  const deleted = await runCli(env, ['delete', 'pod', 'demo', 'gold', 'free', 'hog']);
  assert.equal(deleted.code, 0, deleted.stderr);
  await daemon.stop();
  await assertNoLeaks(roots.config, { ids: ['demo', 'gold', 'free', 'hog'].map((n) => pod(n).metadata.uid) });
});
