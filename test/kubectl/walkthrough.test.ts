// The README walk-through with kubectl alone: apply the demo pod, get -o wide, logs, exec, port-forward,
// delete. Expected texts are kubectl's and the API server's (kubectl/pkg/cmd/*, printers.go,
// apimachinery/pkg/api/errors), not this implementation's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { freePort, startKubectlTest, kubectlEnv } from './harness.js';

const DEMO = fileURLToPath(new URL('../../../examples/demo-pod.yaml', import.meta.url));

test('kubectl walk-through: apply, get -o wide, logs, exec, port-forward, delete', { timeout: 180_000 }, async (t) => {
  const k = await startKubectlTest(t);

  const info = await runCli(k.roots.env(), ['info']);
  assert.match(info.stdout, new RegExp(`^Kubernetes API:\\s+https://127\\.0\\.0\\.1:${k.port} \\(peapod kubeconfig\\)$`, 'm'));

  const version = await k.kubectl(['version']);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^Server Version: .*v1\.32\./m);

  const applied = await k.kubectl(['apply', '-f', DEMO]);
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal(applied.stdout, 'pod/demo created\n');

  const waited = await k.kubectl(['wait', '--for=condition=Ready', 'pod/demo', '--timeout=60s']);
  assert.equal(waited.code, 0, waited.stderr);
  assert.equal(waited.stdout, 'pod/demo condition met\n');

  // printPod's columns; -o wide adds the priority-1 ones.
  const wide = await k.kubectl(['get', 'pods', '-o', 'wide']);
  assert.equal(wide.code, 0, wide.stderr);
  const [header, row] = wide.stdout.trimEnd().split('\n');
  assert.match(header ?? '', /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
  assert.match(row ?? '', /^demo\s+2\/2\s+Running\s+0\s+\d+s\s+10\.\d+\.\d+\.\d+\s+\S+\s+<none>\s+<none>$/);

  const logs = await waitFor(
    async () => {
      const r = await k.kubectl(['logs', 'demo', '-c', 'writer']);
      return r.stdout.includes('fetched the page from web over localhost') ? r : undefined;
    },
    { timeoutMs: 30_000, description: 'the writer to log a fetched page' },
  );
  assert.equal(logs.code, 0);

  // attach streams what the container writes from now on (output only: see docs/kubeapi.md).
  await k.until(['attach', 'demo', '-c', 'writer'], /fetched the page from web over localhost/);

  const ls = await k.kubectl(['exec', 'demo', '-c', 'web', '--', 'ls']);
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(ls.stdout, /^www$/m);

  // Over the WebSocket tunnel kubectl 1.31+ prefers, then over plain SPDY (its fallback, older kubectls).
  await portForward(t, k.kubeconfig, {});
  await portForward(t, k.kubeconfig, { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });

  const deleted = await k.kubectl(['delete', 'pod', 'demo']);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(deleted.stdout, 'pod "demo" deleted\n');
  const none = await k.kubectl(['get', 'pods']);
  assert.equal(none.code, 0);
  assert.equal(none.stderr, 'No resources found in default namespace.\n');

  await k.daemon.stop();
  await assertNoLeaks(k.roots.config);
});

/** port-forward prints "Forwarding from 127.0.0.1:<local> -> <remote>" (kubectl/pkg/cmd/portforward); the page comes through. */
async function portForward(t: { after: (fn: () => Promise<void>) => void }, kubeconfig: string, env: NodeJS.ProcessEnv): Promise<void> {
  const local = await freePort();
  const forward = spawn('kubectl', ['port-forward', 'pod/demo', `${local}:8080`], { env: { ...kubectlEnv(kubeconfig), ...env } });
  t.after(() => {
    forward.kill('SIGKILL');
    return Promise.resolve();
  });
  let output = '';
  forward.stdout.on('data', (d: Buffer) => (output += d.toString()));
  forward.stderr.on('data', (d: Buffer) => (output += d.toString()));
  await waitFor(() => output.includes(`Forwarding from 127.0.0.1:${local} -> 8080`), { timeoutMs: 20_000, description: 'kubectl port-forward to listen' });
  const page = await fetch(`http://127.0.0.1:${local}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Hello from pod demo/);
  forward.kill('SIGTERM');
}
