// kubectl against peapod's Services: `get svc,endpointslices` with the server's Table columns (kubectl's
// own: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE; NAME ADDRESSTYPE PORTS ENDPOINTS AGE), `get -o json`
// carrying the allocated cluster IP, and `delete svc` taking the slices and rules with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startKubectlTest } from './harness.js';

const MANIFEST = `
apiVersion: v1
kind: Pod
metadata: { name: web, labels: { app: web } }
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: httpd
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
      ports: [{ name: http, containerPort: 8080 }]
      readinessProbe: { httpGet: { path: /index.html, port: http }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: http }]
`;

test('kubectl gets Services and EndpointSlices served by peapod, and deletes a Service', { timeout: 180_000 }, async (t) => {
  const k = await startKubectlTest(t);
  const env = k.roots.env();
  assert.equal((await runCli(env, ['apply', '-f', await k.file('web.yaml', MANIFEST)])).code, 0);
  const svc = JSON.parse((await k.kubectl(['get', 'svc', 'web', '-o', 'json'])).stdout) as { apiVersion: string; spec: { clusterIP: string } };
  assert.equal(svc.apiVersion, 'v1');
  const ip = svc.spec.clusterIP.replace(/\./g, '\\.');
  const get = await k.kubectl(['get', 'svc']);
  assert.equal(get.code, 0, get.stderr);
  assert.match(
    get.stdout,
    new RegExp(`^NAME\\s+TYPE\\s+CLUSTER-IP\\s+EXTERNAL-IP\\s+PORT\\(S\\)\\s+AGE\\nweb\\s+ClusterIP\\s+${ip}\\s+<none>\\s+80/TCP\\s+\\d+s\\n$`),
  );
  const slices = await waitFor(
    async () => {
      const r = await k.kubectl(['get', 'endpointslices']);
      return /\s8080\s+\d+\.\d+\.\d+\.\d+\s/.test(r.stdout) ? r.stdout : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, description: 'the web slice with its ready endpoint' },
  );
  assert.match(slices, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\nweb-[0-9a-f]{5}\s+IPv4\s+8080\s+[\d.]+\s+\d+s\n$/);

  const del = await k.kubectl(['delete', 'svc', 'web']);
  assert.equal(del.code, 0, del.stderr);
  assert.equal(del.stdout, 'service "web" deleted\n');
  await waitFor(async () => (await k.kubectl(['get', 'endpointslices', '--no-headers'])).stdout === '', { timeoutMs: 10_000, description: 'no slice left' });
  assert.equal((await runCli(env, ['delete', 'pod', 'web'])).code, 0);
  await k.daemon.stop();
  await assertNoLeaks(k.roots.config);
});
