// Lifecycle on real containers: postStart and preStop hooks, termination messages (file and
// FallbackToLogsOnError), and activeDeadlineSeconds failing the pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';

interface Terminated {
  exitCode: number;
  reason?: string;
  message?: string;
}
interface PodJson {
  status: { phase: string; message?: string; containerStatuses?: { name: string; state: { running?: unknown; terminated?: Terminated } }[] };
}

async function podJson(env: NodeJS.ProcessEnv, name: string): Promise<PodJson> {
  const r = await runCli(env, ['get', 'pod', name, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as PodJson;
}

const manifests = (hostDir: string): string => `
apiVersion: v1
kind: Pod
metadata: { name: hooks }
spec:
  terminationGracePeriodSeconds: 5
  volumes: [{ name: host, hostPath: { path: ${hostDir}, type: Directory } }]
  containers:
    - name: app
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]
      volumeMounts: [{ name: host, mountPath: /host }]
      lifecycle:
        postStart: { exec: { command: ["sh", "-c", "echo started > /tmp/poststart"] } }
        preStop: { exec: { command: ["sh", "-c", "echo stopping > /host/prestop"] } }
---
apiVersion: v1
kind: Pod
metadata: { name: job }
spec:
  restartPolicy: Never
  containers:
    - name: file
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "echo -n bye > /dev/termination-log; exit 3"]
    - name: logs
      image: busybox
      imagePullPolicy: IfNotPresent
      terminationMessagePolicy: FallbackToLogsOnError
      command: ["sh", "-c", "echo oops; exit 1"]
---
apiVersion: v1
kind: Pod
metadata: { name: deadline }
spec:
  activeDeadlineSeconds: 2
  terminationGracePeriodSeconds: 1
  containers:
    - name: sleeper
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]
`;

test('hooks, termination messages and activeDeadlineSeconds', { timeout: 120_000 }, async (t) => {
  const { roots, env, daemon } = await startPodTest(t);
  const hostDir = join(roots.dir, 'host');
  await mkdir(hostDir);
  const file = join(roots.dir, 'pods.yaml');
  await writeFile(file, manifests(hostDir));
  const applied = await runCli(env, ['apply', '-f', file]);
  assert.equal(applied.code, 0, applied.stderr);

  // postStart ran before the container was reported running.
  await waitFor(async () => (await podJson(env, 'hooks')).status.containerStatuses?.[0]?.state.running !== undefined, {
    timeoutMs: 30_000,
    intervalMs: 200,
    description: 'hooks to run',
  });
  const started = await runCli(env, ['exec', 'hooks', '--', 'cat', '/tmp/poststart']);
  assert.equal(started.stdout.trim(), 'started');

  // Termination messages: from the file, and from the log on error.
  const job = await waitFor(
    async () => {
      const pod = await podJson(env, 'job');
      return pod.status.phase === 'Failed' ? pod : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, description: 'the job pod to fail' },
  );
  const byName = new Map(job.status.containerStatuses?.map((s) => [s.name, s.state.terminated]));
  assert.deepEqual([byName.get('file')?.exitCode, byName.get('file')?.reason, byName.get('file')?.message], [3, 'Error', 'bye']);
  assert.equal(byName.get('logs')?.message, 'oops');

  // activeDeadlineSeconds: the pod fails and its container is stopped (the phase, as the kubelet's, can
  // say Failed a moment before the stop is recorded).
  const failed = await waitFor(
    async () => {
      const pod = await podJson(env, 'deadline');
      return pod.status.phase === 'Failed' && pod.status.containerStatuses?.[0]?.state.terminated ? pod : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250, description: 'the deadline pod to fail with its container stopped' },
  );
  assert.match(failed.status.message ?? '', /longer than the specified deadline/);
  assert.ok(failed.status.containerStatuses?.[0]?.state.terminated, 'its container was stopped');

  // preStop runs on delete, before the container is signalled.
  for (const name of ['hooks', 'job', 'deadline']) assert.equal((await runCli(env, ['delete', 'pod', name])).code, 0);
  assert.equal((await readFile(join(hostDir, 'prestop'), 'utf8')).trim(), 'stopping');
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
