// Restarts as the kubelet does them, seen through the CLI: CrashLoopBackOff with restart counts and
// `logs --previous`, and `get pods -w` streaming the changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';
import { PEAPOD_BIN } from '../helpers/cli.js';

interface PodJson {
  status: { containerStatuses?: { restartCount: number; state: { waiting?: { reason?: string } }; lastState: { terminated?: { exitCode: number } } }[] };
}

test('CrashLoopBackOff, logs --previous and get pods -w', { timeout: 120_000 }, async (t) => {
  const { roots, env, daemon } = await startPodTest(t);
  const watcher = spawn(process.execPath, [PEAPOD_BIN, 'get', 'pods', '-w'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let watched = '';
  watcher.stdout.on('data', (d: Buffer) => (watched += d.toString()));
  t.after(() => watcher.kill('SIGKILL'));
  const file = join(roots.dir, 'crash.yaml');
  await writeFile(
    file,
    'apiVersion: v1\nkind: Pod\nmetadata: {name: crash}\nspec:\n  containers: [{name: c, image: busybox, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "echo run-$(date +%s); exit 2"]}]\n',
  );
  assert.equal((await runCli(env, ['apply', '-f', file])).code, 0);
  const crashing = await waitFor(
    async () => {
      const r = await runCli(env, ['get', 'pod', 'crash', '-o', 'json']);
      const pod = JSON.parse(r.stdout) as PodJson;
      const s = pod.status.containerStatuses?.[0];
      return s && s.restartCount >= 1 && s.state.waiting?.reason === 'CrashLoopBackOff' ? s : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, description: 'the pod to be in CrashLoopBackOff' },
  );
  assert.equal(crashing.lastState.terminated?.exitCode, 2);
  const table = await runCli(env, ['get', 'pods']);
  assert.match(table.stdout, /^crash\s+0\/1\s+CrashLoopBackOff\s+\d/m);
  const previous = await runCli(env, ['logs', 'crash', '--previous']);
  assert.equal(previous.code, 0, previous.stderr);
  assert.match(previous.stdout, /^run-\d+$/m);
  const describe = await runCli(env, ['describe', 'pod', 'crash']);
  assert.match(describe.stdout, /BackOff\s.*Back-off restarting failed container/);
  await waitFor(() => /crash\s+0\/1\s+CrashLoopBackOff/.test(watched), { timeoutMs: 10_000, description: 'get -w to stream the CrashLoopBackOff row' });
  assert.equal((await runCli(env, ['delete', 'pod', 'crash'])).code, 0);
  watcher.kill('SIGKILL');
  await daemon.stop();
  await assertNoLeaks(roots.config);
});

test('an image change of a running container kills it and starts the new image, whatever the restart policy', { timeout: 120_000 }, async (t) => {
  const { roots, env, daemon } = await startPodTest(t);
  const manifest = (image: string): string =>
    `apiVersion: v1\nkind: Pod\nmetadata: {name: swap}\nspec:\n  restartPolicy: Never\n  terminationGracePeriodSeconds: 2\n  containers: [{name: c, image: ${image}, imagePullPolicy: IfNotPresent, command: ["sleep", "3600"]}]\n`;
  const file = join(roots.dir, 'swap.yaml');
  await writeFile(file, manifest('busybox'));
  assert.equal((await runCli(env, ['apply', '-f', file, '--wait'])).code, 0);
  const before = JSON.parse((await runCli(env, ['get', 'pod', 'swap', '-o', 'json'])).stdout) as PodJson & {
    status: { containerStatuses: { containerID: string }[] };
  };
  const oldId = before.status.containerStatuses[0]?.containerID;
  assert.ok(oldId);
  await writeFile(file, manifest('busybox:latest'));
  const applied = await runCli(env, ['apply', '-f', file]);
  assert.equal(applied.stdout, 'pod/swap configured\n', applied.stderr);
  const restarted = await waitFor(
    async () => {
      const pod = JSON.parse((await runCli(env, ['get', 'pod', 'swap', '-o', 'json'])).stdout) as {
        status: { containerStatuses: { restartCount: number; containerID?: string; image: string; state: { running?: unknown } }[] };
      };
      const s = pod.status.containerStatuses[0];
      return s && s.restartCount === 1 && s.state.running && s.containerID !== oldId ? s : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, description: 'the container to run again with the new image' },
  );
  assert.equal(restarted.image, 'busybox:latest');
  const describe = await runCli(env, ['describe', 'pod', 'swap']);
  assert.match(describe.stdout, /Killing\s.*Container c definition changed, will be restarted/);
  assert.equal((await runCli(env, ['delete', 'pod', 'swap'])).code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
