// Waiting reasons the API reports, on real pulls and containers: ErrImagePull then ImagePullBackOff for
// an image that cannot be pulled, CreateContainerError for a command that cannot run; and a privileged
// container gets every capability, its pod's pause no seccomp filter (a privileged sandbox, as the kubelet
// sends it and containerd runs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';

/** A loopback port with nothing listening: pulls from it fail at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 1;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('ErrImagePull, ImagePullBackOff, CreateContainerError and privileged', { timeout: 120_000 }, async (t) => {
  const { roots, env, daemon } = await startPodTest(t);
  const port = await closedPort();
  const file = join(roots.dir, 'pods.yaml');
  await writeFile(
    file,
    `apiVersion: v1
kind: Pod
metadata: { name: nopull }
spec:
  containers: [{ name: c, image: "127.0.0.1:${port}/missing:1.0" }]
---
apiVersion: v1
kind: Pod
metadata: { name: norun }
spec:
  containers: [{ name: c, image: busybox, imagePullPolicy: IfNotPresent, command: ["/does/not/exist"] }]
---
apiVersion: v1
kind: Pod
metadata: { name: priv }
spec:
  terminationGracePeriodSeconds: 1
  containers: [{ name: c, image: busybox, imagePullPolicy: IfNotPresent, command: ["sleep", "3600"], securityContext: { privileged: true } }]
`,
  );
  assert.equal((await runCli(env, ['apply', '-f', file])).code, 0);
  const reasons = new Set<string>();
  await waitFor(
    async () => {
      const table = (await runCli(env, ['get', 'pod', 'nopull'])).stdout;
      const m = /^nopull\s+\S+\s+(\S+)/m.exec(table);
      if (m?.[1]) reasons.add(m[1]);
      return reasons.has('ErrImagePull') && reasons.has('ImagePullBackOff');
    },
    { timeoutMs: 40_000, intervalMs: 250, description: 'ErrImagePull then ImagePullBackOff' },
  );
  const describe = await runCli(env, ['describe', 'pod', 'nopull']);
  assert.match(describe.stdout, /Failed\s.*Failed to pull image "127\.0\.0\.1:\d+\/missing:1\.0"/);

  await waitFor(async () => /^norun\s+0\/1\s+(CreateContainerError|RunContainerError)\s/m.test((await runCli(env, ['get', 'pods'])).stdout), {
    timeoutMs: 30_000,
    intervalMs: 250,
    description: 'norun to report a create error',
  });

  await waitFor(async () => /^priv\s+1\/1\s+Running/m.test((await runCli(env, ['get', 'pods'])).stdout), {
    timeoutMs: 30_000,
    intervalMs: 250,
    description: 'priv to run',
  });
  const caps = await runCli(env, ['exec', 'priv', '--', 'grep', '^CapEff:', '/proc/self/status']);
  // Privileged means every capability this host lets the runtime hold: the test's own bounding set.
  const bounding = /^CapBnd:\s*([0-9a-f]+)$/m.exec(await readFile('/proc/self/status', 'utf8'))?.[1];
  assert.equal(caps.stdout.trim().split(/\s+/)[1], bounding);
  const pausePid = /pause pid (\d+)/.exec((await runCli(env, ['describe', 'pod', 'priv'])).stdout)?.[1];
  assert.ok(pausePid !== undefined, 'describe names the pause');
  assert.match(await readFile(`/proc/${pausePid}/status`, 'utf8'), /^Seccomp:\s+0$/m, 'a privileged pod: an unconfined pause');

  for (const name of ['nopull', 'norun', 'priv']) assert.equal((await runCli(env, ['delete', 'pod', name])).code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
