// Ephemeral debug containers: `peapod debug` adds one to a running pod, shares the target container's
// PID namespace with --target, runs interactively with a terminal, and shows in status and describe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';
import { PEAPOD_BIN } from '../helpers/cli.js';
import { runUnchecked } from '../../src/host/exec.js';

interface PodJson {
  status: {
    containerStatuses?: { state: { running?: unknown } }[];
    ephemeralContainerStatuses?: { name: string; state: { running?: unknown; terminated?: { exitCode: number } } }[];
  };
}

test('ephemeral debug containers with --target, batch and interactive', { timeout: 120_000 }, async (t) => {
  const { roots, env, daemon } = await startPodTest(t);
  const file = join(roots.dir, 'app.yaml');
  await writeFile(
    file,
    'apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers: [{name: web, image: busybox, imagePullPolicy: IfNotPresent, command: ["httpd", "-f", "-p", "8080"]}]\n',
  );
  assert.equal((await runCli(env, ['apply', '-f', file])).code, 0);
  const json = async (): Promise<PodJson> => JSON.parse((await runCli(env, ['get', 'pod', 'app', '-o', 'json'])).stdout) as PodJson;
  await waitFor(async () => (await json()).status.containerStatuses?.[0]?.state.running, { timeoutMs: 30_000, intervalMs: 200, description: 'app to run' });

  // Batch: the command is the container's process; with --target it sees web's processes.
  const batch = await runCli(env, ['debug', 'app', '--image', 'busybox', '--target', 'web', '-c', 'peek', '--', 'ps']);
  assert.equal(batch.code, 0, batch.stderr);
  const finished = await waitFor(async () => (await json()).status.ephemeralContainerStatuses?.find((s) => s.name === 'peek')?.state.terminated, {
    timeoutMs: 30_000,
    intervalMs: 200,
    description: 'peek to finish',
  });
  assert.equal(finished.exitCode, 0);
  const logs = await runCli(env, ['logs', 'app', '-c', 'peek']);
  assert.match(logs.stdout, /httpd -f -p 8080/);

  // Interactive, with a terminal from script(1): the shell runs in the target's PID namespace.
  const session = await runUnchecked(
    'script',
    ['-qec', `${process.execPath} ${PEAPOD_BIN} debug app -it --image busybox --target web -c shell -- sh -c 'tty; ps'`, '/dev/null'],
    { env, timeoutMs: 60_000 },
  );
  assert.match(session.stdout, /\/dev\/pts\/\d+/, session.stdout + session.stderr);
  assert.match(session.stdout, /httpd -f -p 8080/);
  const describe = await runCli(env, ['describe', 'pod', 'app']);
  assert.match(describe.stdout, /Ephemeral Containers:\n {2}peek:/);
  const again = await runCli(env, ['debug', 'app', '--image', 'busybox', '-c', 'peek', '--', 'true']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists/);

  assert.equal((await runCli(env, ['delete', 'pod', 'app'])).code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
