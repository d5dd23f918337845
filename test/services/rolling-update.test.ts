// #17's measurement: a rolling update of a Deployment behind a Service keeps answering. A client pod fetches
// the Service by name every 200 ms during the whole rollout; every fetch must be answered (the old pods
// leave the Service's rules as soon as they are terminating, and their preStop sleep keeps them serving
// the connections that were already on their way, as the Kubernetes docs recommend). A request may take
// up to 10 s (a loaded machine can stall a container for seconds); one sent to an endpoint that is gone
// fails (connection refused, no route to host) or gets no SYN-ACK at all, and counts as unanswered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';

const app = (version: string): string => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  # Each new pod must stay ready 2 s before the next step: the rollout lasts long enough to be sampled
  # on a fast machine too (without it, a quiet machine finished in ≈ 3 s, 13 requests).
  minReadySeconds: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: httpd
          image: busybox
          imagePullPolicy: IfNotPresent
          env: [{ name: VERSION, value: "${version}" }]
          command: ["sh", "-c", "mkdir -p /www && echo $VERSION > /www/index.html && exec httpd -f -p 8080 -h /www"]
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /index.html, port: http }, periodSeconds: 1 }
          lifecycle: { preStop: { sleep: { seconds: 2 } } }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: http }]
`;

const CLIENT = `
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: fetch
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do timeout 10 wget -q -O - http://web/index.html || echo FAIL; sleep 0.2; done"]
`;

test('a rolling update behind a Service: every request during the rollout is answered', { timeout: 300_000 }, async (t) => {
  const podTest = await startPodTest(t);
  const { env, roots, daemon } = podTest;
  const apply = (name: string, manifest: string): Promise<string> => podTest.apply(name, manifest);
  await apply('app.yaml', app('v1'));
  await apply('client.yaml', CLIENT);
  const logLines = async (): Promise<string[]> =>
    (await runCli(env, ['logs', 'client'])).stdout
      .trim()
      .split('\n')
      .filter((l) => l !== '');
  // Both v1 replicas serve before the rollout starts.
  await waitFor(async () => (await logLines()).slice(-5).join(',') === 'v1,v1,v1,v1,v1', {
    timeoutMs: 90_000,
    intervalMs: 500,
    description: 'the client to be answered by v1',
  });
  const before = (await logLines()).length;

  await apply('app.yaml', app('v2'));
  const status = await runCli(env, ['rollout', 'status', 'deployment/web', '--timeout', '120s'], { timeoutMs: 150_000 });
  assert.equal(status.code, 0, status.stderr);
  // Until only v2 answers and no old pod is left terminating.
  await waitFor(async () => (await logLines()).slice(-10).every((l) => l === 'v2') && !/Terminating/.test((await runCli(env, ['get', 'pods'])).stdout), {
    timeoutMs: 60_000,
    intervalMs: 500,
    description: 'only v2 to answer and the old pods to be gone',
  });
  const during = (await logLines()).slice(before);
  const failed = during.filter((l) => l !== 'v1' && l !== 'v2');
  t.diagnostic(
    `rolling update: ${during.length} requests during the rollout, ${failed.length} unanswered, ${during.filter((l) => l === 'v1').length} by v1, ${during.filter((l) => l === 'v2').length} by v2`,
  );
  // The window spans the switch (old and new both answered in it) and holds enough samples to mean something.
  assert.ok(during.includes('v1') && during.includes('v2'), `the requests did not span the rollout: ${during.join(',')}`);
  assert.ok(during.length >= 20, `only ${during.length} requests were made during the rollout`);
  assert.deepEqual(failed, []);

  assert.equal((await runCli(env, ['delete', 'deployment', 'web'])).code, 0);
  assert.equal((await runCli(env, ['delete', 'svc', 'web'])).code, 0);
  assert.equal((await runCli(env, ['delete', 'pod', 'client'])).code, 0);
  await waitFor(async () => !/^web-/m.test((await runCli(env, ['get', 'pods'])).stdout), {
    timeoutMs: 60_000,
    intervalMs: 500,
    description: 'the web pods to be gone',
  });
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
