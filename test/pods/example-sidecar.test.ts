// The documentation-style pod in examples/sidecar-pod.yaml behaves as under a kubelet: the sidecar
// starts first and keeps running, the init container completes next, the app becomes started and ready
// through its probes, the sidecar ships the app's log lines, and a Job-like pod completes even though
// its sidecar still runs; an init container failing under restartPolicy Never fails the pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/sidecar-pod.yaml', import.meta.url));

interface Status {
  name: string;
  ready: boolean;
  started?: boolean;
  state: { running?: unknown; terminated?: { exitCode: number; reason?: string } };
}
interface PodJson {
  status: { phase: string; conditions?: { type: string; status: string }[]; initContainerStatuses?: Status[]; containerStatuses?: Status[] };
}

const JOBS = `
apiVersion: v1
kind: Pod
metadata: { name: job-with-sidecar }
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  initContainers:
    - { name: side, image: busybox, imagePullPolicy: IfNotPresent, restartPolicy: Always, command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"] }
  containers:
    - { name: work, image: busybox, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "sleep 1"] }
---
apiVersion: v1
kind: Pod
metadata: { name: bad-init }
spec:
  restartPolicy: Never
  initContainers:
    - { name: check, image: busybox, imagePullPolicy: IfNotPresent, command: ["false"] }
  containers:
    - { name: never, image: busybox, imagePullPolicy: IfNotPresent, command: ["true"] }
`;

test('a documentation-style sidecar pod, a Job with a sidecar, and a failing init container', { timeout: 150_000 }, async (t) => {
  const { roots, env, daemon } = await startPodTest(t);
  const json = async (name: string): Promise<PodJson> => JSON.parse((await runCli(env, ['get', 'pod', name, '-o', 'json'])).stdout) as PodJson;
  assert.equal((await runCli(env, ['apply', '-f', EXAMPLE])).code, 0);
  const ready = await waitFor(
    async () => {
      const pod = await json('myapp');
      return pod.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? pod : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: 'myapp to be Ready' },
  );
  const inits = new Map(ready.status.initContainerStatuses?.map((s) => [s.name, s]));
  assert.ok(inits.get('logshipper')?.state.running, 'the sidecar keeps running');
  assert.equal(inits.get('init-setup')?.state.terminated?.reason, 'Completed');
  assert.equal(ready.status.containerStatuses?.[0]?.started, true);
  const table = await runCli(env, ['get', 'pods']);
  assert.match(table.stdout, /^myapp\s+1\/1\s+Running\s+0\s/m);
  await waitFor(async () => /logging /.test((await runCli(env, ['logs', 'myapp', '-c', 'logshipper'])).stdout), {
    timeoutMs: 20_000,
    intervalMs: 250,
    description: 'the sidecar to ship log lines',
  });
  assert.equal((await runCli(env, ['exec', 'myapp', '--', 'cat', '/tmp/started'])).stdout.trim(), 'started');

  const jobs = join(roots.dir, 'jobs.yaml');
  await writeFile(jobs, JOBS);
  assert.equal((await runCli(env, ['apply', '-f', jobs])).code, 0);
  await waitFor(async () => (await json('job-with-sidecar')).status.phase === 'Succeeded', {
    timeoutMs: 30_000,
    intervalMs: 250,
    description: 'the job to succeed though its sidecar ran',
  });
  const failed = await waitFor(
    async () => {
      const pod = await json('bad-init');
      return pod.status.phase === 'Failed' ? pod : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250, description: 'bad-init to fail' },
  );
  assert.equal(failed.status.containerStatuses?.[0]?.state.running, undefined, 'the main container never ran');
  assert.match((await runCli(env, ['get', 'pods'])).stdout, /^bad-init\s+0\/1\s+Init:Error\s/m);

  for (const name of ['myapp', 'job-with-sidecar', 'bad-init']) assert.equal((await runCli(env, ['delete', 'pod', name])).code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
