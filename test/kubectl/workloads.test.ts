// kubectl against peapod's workloads: discovery of apps/v1 (and the other groups), `get deploy,rs` with
// the server's Table columns, `get -o json` in the object's own group, and `delete --cascade=foreground`
// carrying its propagation policy to the garbage collector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startKubectlTest } from './harness.js';
import { deploymentManifest } from '../workloads/deployment-helpers.js';

test('kubectl gets and deletes Deployments and ReplicaSets served by peapod', { timeout: 180_000 }, async (t) => {
  const k = await startKubectlTest(t);
  const env = k.roots.env();
  const file = await k.file(
    'web.yaml',
    deploymentManifest({ name: 'web', replicas: 2, version: 'v1', strategy: { maxSurge: 1, maxUnavailable: 0 }, readyAfter: 0 }),
  );
  assert.equal((await runCli(env, ['apply', '-f', file])).code, 0);
  assert.equal((await runCli(env, ['rollout', 'status', 'deployment/web', '--timeout=60s'])).code, 0);

  const resources = await k.kubectl(['api-resources', '--api-group=apps', '--no-headers']);
  assert.equal(resources.code, 0, resources.stderr);
  assert.match(resources.stdout, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
  const get = await k.kubectl(['get', 'deploy,rs']);
  assert.equal(get.code, 0, get.stderr);
  assert.match(get.stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\ndeployment\.apps\/web\s+2\/2\s+2\s+2\s+\d+s\n/);
  assert.match(get.stdout, /\nNAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nreplicaset\.apps\/web-[a-z0-9]+\s+2\s+2\s+2\s+\d+s\n$/);
  const json = await k.kubectl(['get', 'deployment', 'web', '-o', 'json']);
  const d = JSON.parse(json.stdout) as { apiVersion: string; kind: string; status: { availableReplicas: number } };
  assert.deepEqual([d.apiVersion, d.kind, d.status.availableReplicas], ['apps/v1', 'Deployment', 2]);

  const del = await k.kubectl(['delete', 'deployment', 'web', '--cascade=foreground']);
  assert.equal(del.code, 0, del.stderr);
  assert.equal(del.stdout, 'deployment.apps "web" deleted\n');
  // Foreground: kubectl waited for the deployment, which waited for its ReplicaSet and pods.
  const pods = await runCli(env, ['get', 'pods,rs']);
  assert.match(pods.stderr, /No resources found/);
  await waitFor(async () => (await k.kubectl(['get', 'deploy', '--no-headers'])).stdout === '', { timeoutMs: 10_000, description: 'no deployment' });
  await k.daemon.stop();
  await assertNoLeaks(k.roots.config);
});
