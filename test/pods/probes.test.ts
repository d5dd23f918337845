// Probes on real containers: readiness drives the ready flag and READY column, a failing liveness
// probe restarts the container with the kubelet's events, and a sidecar's startup probe gates the
// next init container.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';

interface PodJson {
  status: {
    phase: string;
    initContainerStatuses?: { name: string; ready: boolean; started?: boolean; state: { running?: unknown; terminated?: { exitCode: number } } }[];
    containerStatuses?: { name: string; ready: boolean; restartCount: number; state: { running?: unknown } }[];
  };
}

const MANIFEST = `
apiVersion: v1
kind: Pod
metadata:
  name: probed
spec:
  terminationGracePeriodSeconds: 1
  initContainers:
    - name: sidecar
      image: busybox
      imagePullPolicy: IfNotPresent
      restartPolicy: Always
      command: ["sh", "-c", "sleep 2; touch /tmp/up; trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]
      startupProbe:
        exec: { command: ["test", "-e", "/tmp/up"] }
        periodSeconds: 1
        failureThreshold: 30
    - name: init
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["true"]
  containers:
    - name: web
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www"]
      ports: [{ name: http, containerPort: 8080 }]
      readinessProbe:
        httpGet: { path: /index.html, port: http }
        periodSeconds: 1
    - name: flaky
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]
      livenessProbe:
        tcpSocket: { port: 9999 }
        periodSeconds: 1
        failureThreshold: 2
`;

async function podJson(env: NodeJS.ProcessEnv): Promise<PodJson> {
  const r = await runCli(env, ['get', 'pod', 'probed', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as PodJson;
}

test('startup gating, readiness and liveness on real containers', { timeout: 120_000 }, async (t) => {
  const { roots, env, daemon } = await startPodTest(t);
  const file = join(roots.dir, 'probed.yaml');
  await writeFile(file, MANIFEST);
  assert.equal((await runCli(env, ['apply', '-f', file])).code, 0);

  // The init container may not run before the sidecar's startup probe passed (≈2 s in).
  const early = await podJson(env);
  assert.equal(early.status.initContainerStatuses?.find((s) => s.name === 'init')?.state.terminated, undefined);
  await waitFor(async () => (await podJson(env)).status.initContainerStatuses?.find((s) => s.name === 'init')?.state.terminated?.exitCode === 0, {
    timeoutMs: 30_000,
    intervalMs: 200,
    description: 'init container to complete after the sidecar started',
  });

  // Readiness: web becomes ready through its HTTP probe on the named port.
  await waitFor(async () => (await podJson(env)).status.containerStatuses?.find((s) => s.name === 'web')?.ready === true, {
    timeoutMs: 30_000,
    intervalMs: 200,
    description: 'web to become ready',
  });

  // Liveness: nothing listens on 9999, so flaky is killed and restarted, with the kubelet's events.
  await waitFor(async () => ((await podJson(env)).status.containerStatuses?.find((s) => s.name === 'flaky')?.restartCount ?? 0) >= 1, {
    timeoutMs: 30_000,
    intervalMs: 250,
    description: 'flaky to be restarted by its liveness probe',
  });
  const describe = await runCli(env, ['describe', 'pod', 'probed']);
  assert.match(describe.stdout, /Unhealthy\s.*Liveness probe failed: dial tcp/);
  assert.match(describe.stdout, /Killing\s.*Container flaky failed liveness probe, will be restarted/);
  const table = await runCli(env, ['get', 'pods']);
  assert.match(table.stdout, /^probed\s+\d\/2\s/m);

  assert.equal((await runCli(env, ['delete', 'pod', 'probed'])).code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
