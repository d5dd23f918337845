// The heart of peapod, end to end on real runc, conmon and CNI: a two-container pod shares one IP,
// reaches itself over localhost and shares a volume, while each container keeps its own PID and mount
// namespaces; limits land in the cgroup files; logs, exec and describe work; deleting leaves nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTestRoots } from '../helpers/roots.js';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { loadBusybox, startDaemon } from '../helpers/daemon.js';
import { PEAPOD_BIN } from '../helpers/cli.js';
import { spawn } from 'node:child_process';
import { runUnchecked } from '../../src/host/exec.js';
import { timeScale } from '../helpers/wait.js';
import { cgroupOfPid, cpuWeightOf, expectedCpuWeight, readCgroupLimits } from '../helpers/cgroupfs.js';

interface PodJson {
  metadata: { name: string; uid: string };
  status: {
    phase: string;
    podIP?: string;
    containerStatuses?: { name: string; ready: boolean; restartCount: number; containerID?: string; state: { running?: unknown } }[];
  };
}

const MANIFEST = `
apiVersion: v1
kind: Pod
metadata:
  name: duo
spec:
  terminationGracePeriodSeconds: 2
  volumes:
    - name: shared
      emptyDir: {}
  containers:
    - name: web
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "echo hello-from-web; echo to-stderr >&2; echo page > /data/index.html; exec httpd -f -p 8080 -h /data"]
      volumeMounts: [{ name: shared, mountPath: /data }]
      resources:
        limits: { memory: 64Mi, cpu: 500m }
    - name: client
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do echo tick; sleep 1 & wait $!; done"]
      volumeMounts: [{ name: shared, mountPath: /shared }]
`;

async function podJson(env: NodeJS.ProcessEnv, name: string): Promise<PodJson> {
  const r = await runCli(env, ['get', 'pod', name, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as PodJson;
}

async function nsInode(pid: number, type: string): Promise<string> {
  return readlink(`/proc/${pid}/ns/${type}`);
}

test('a two-container pod on real runc, conmon and CNI', { timeout: 180_000 * timeScale() }, async (t) => {
  const roots = await makeTestRoots();
  const env = roots.env();
  let daemon = await startDaemon(roots);
  t.after(async () => {
    await daemon.stop().catch(() => undefined);
    await roots.cleanup();
  });
  await loadBusybox(roots);
  const manifest = join(roots.dir, 'duo.yaml');
  await writeFile(manifest, MANIFEST);
  const applied = await runCli(env, ['apply', '-f', manifest]);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /pod\/duo created/);

  const running = await waitFor(
    async () => {
      const pod = await podJson(env, 'duo');
      return pod.status.phase === 'Running' && pod.status.containerStatuses?.every((c) => c.ready) ? pod : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, description: 'pod duo to be Running with both containers ready' },
  );
  assert.ok(
    running.status.podIP?.startsWith(roots.config.subnet.split('.').slice(0, 3).join('.')),
    `pod IP ${running.status.podIP ?? ''} in ${roots.config.subnet}`,
  );

  // The Linux view, straight from /proc: same net/ipc/uts, different pid and mnt.
  const describe = await runCli(env, ['describe', 'pod', 'duo']);
  assert.equal(describe.code, 0, describe.stderr);
  assert.match(describe.stdout, /Linux View:/);
  assert.match(describe.stdout, /net\s+\d+\s+shared with sandbox/);
  assert.match(describe.stdout, /pid\s+\d+\s+own/);
  const pids = [...describe.stdout.matchAll(/^\s+PID:\s+(\d+)$/gm)].map((m) => Number(m[1]));
  assert.equal(pids.length, 2, describe.stdout);
  const [webPid, clientPid] = pids as [number, number];
  for (const type of ['net', 'ipc', 'uts']) assert.equal(await nsInode(webPid, type), await nsInode(clientPid, type), `${type} shared`);
  for (const type of ['pid', 'mnt']) assert.notEqual(await nsInode(webPid, type), await nsInode(clientPid, type), `${type} own`);

  // Limits visible in the cgroup files (either layout), and in describe.
  const webCgroup = await cgroupOfPid(webPid);
  assert.ok(webCgroup.startsWith(`${roots.config.cgroupRoot}/kubepods/burstable/pod${running.metadata.uid}/`), webCgroup);
  const limits = await readCgroupLimits(webCgroup);
  assert.equal(limits.memoryLimitBytes, 64 * 1024 * 1024);
  assert.equal(limits.cpuQuotaUs, 50000);
  assert.equal(limits.cpuPeriodUs, 100000);
  assert.deepEqual(cpuWeightOf(limits), expectedCpuWeight(limits.layout, 512));
  if (limits.layout === 'v2') {
    assert.equal(limits.memoryOomGroup, 1, 'the kubelet makes the container the OOM unit on v2');
    assert.notEqual(await nsInode(webPid, 'cgroup'), await nsInode(clientPid, 'cgroup'), 'a private cgroup namespace per container on v2');
    assert.equal((await readFile(`/proc/${webPid}/cgroup`, 'utf8')).trim(), `0::${webCgroup}`, 'the host view');
  }
  const podCgroup = `${roots.config.cgroupRoot}/kubepods/burstable/pod${running.metadata.uid}`;
  // The kubelet's pod cgroup: shares from the summed requests; no memory limit or quota, as client has none.
  const podLimits = await readCgroupLimits(podCgroup);
  assert.deepEqual(cpuWeightOf(podLimits), expectedCpuWeight(podLimits.layout, 512));
  assert.equal(podLimits.memoryLimitBytes, undefined);
  assert.equal(podLimits.cpuQuotaUs, undefined);
  const shown = limits.layout === 'v1' ? 'cpu.shares=512' : `cpu.weight=${String(expectedCpuWeight('v2', 512).cpuWeight ?? '?')}`;
  assert.match(describe.stdout, new RegExp(`Limits:\\s+${shown}\\s+cpu\\.quota=50000/100000us\\s+memory\\.limit=67108864 `), describe.stdout);

  // localhost between containers, and the shared volume.
  const fetched = await runCli(env, ['exec', 'duo', '-c', 'client', '--', 'wget', '-q', '-O-', 'http://localhost:8080/index.html']);
  assert.equal(fetched.code, 0, fetched.stderr);
  assert.equal(fetched.stdout.trim(), 'page');
  const viaVolume = await runCli(env, ['exec', 'duo', '-c', 'client', '--', 'cat', '/shared/index.html']);
  assert.equal(viaVolume.stdout.trim(), 'page');
  const exitCode = await runCli(env, ['exec', 'duo', '-c', 'client', '--', 'sh', '-c', 'exit 7']);
  assert.equal(exitCode.code, 7);

  // CRI-format logs, read back as plain lines.
  const logs = await waitFor(
    async () => {
      const r = await runCli(env, ['logs', 'duo', '-c', 'web']);
      return r.stdout.includes('to-stderr') ? r.stdout : undefined;
    },
    { timeoutMs: 10_000, description: 'web logs' },
  );
  assert.match(logs, /^hello-from-web$/m);
  const stamped = await runCli(env, ['logs', 'duo', '-c', 'web', '--timestamps', '--tail', '1']);
  assert.match(stamped.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) \S/);

  // Crash safety: SIGKILL the daemon; a new one adopts the same containers without restarting them.
  const before = await podJson(env, 'duo');
  await daemon.kill();
  assert.equal((await readlink(`/proc/${webPid}/ns/pid`)).length > 0, true, 'web survives the daemon');
  daemon = await startDaemon(roots);
  const after = await waitFor(
    async () => {
      const pod = await podJson(env, 'duo');
      return pod.status.containerStatuses?.every((c) => c.ready) ? pod : undefined;
    },
    { timeoutMs: 30_000, description: 'pod duo after daemon restart' },
  );
  assert.equal(after.status.podIP, before.status.podIP);
  assert.deepEqual(
    after.status.containerStatuses?.map((c) => [c.name, c.containerID, c.restartCount]),
    before.status.containerStatuses?.map((c) => [c.name, c.containerID, c.restartCount]),
  );
  // `logs -f` works against the restarted daemon: new lines keep arriving.
  const follower = spawn(process.execPath, [PEAPOD_BIN, 'logs', '-f', '--tail', '1', 'duo', '-c', 'client'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let followed = '';
  follower.stdout.on('data', (d: Buffer) => (followed += d.toString()));
  try {
    await waitFor(() => followed.split('\n').filter((l) => l === 'tick').length >= 3, { timeoutMs: 15_000, description: 'three ticks from logs -f' });
  } finally {
    follower.kill('SIGINT');
  }
  // A real TTY through exec -it (script(1) gives the CLI a terminal).
  const tty = await runUnchecked('script', ['-qec', `${process.execPath} ${PEAPOD_BIN} exec -it duo -c client -- tty`, '/dev/null'], {
    env,
    timeoutMs: 30_000,
  });
  assert.match(tty.stdout, /\/dev\/pts\/\d+/, tty.stdout + tty.stderr);
  const describeAfter = await runCli(env, ['describe', 'pod', 'duo']);
  assert.deepEqual(
    [...describeAfter.stdout.matchAll(/^\s+PID:\s+(\d+)$/gm)].map((m) => Number(m[1])),
    pids,
  );

  // Delete: everything goes, and deleting again reports NotFound with kubectl's exit code.
  const deleted = await runCli(env, ['delete', 'pod', 'duo']);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.match(deleted.stdout, /pod "duo" deleted/);
  const again = await runCli(env, ['delete', 'pod', 'duo']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /NotFound/);
  const ignored = await runCli(env, ['delete', 'pod', 'duo', '--ignore-not-found']);
  assert.equal(ignored.code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config, { ids: [running.metadata.uid] });
});
