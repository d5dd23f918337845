// OOMKilled through CRI, container events, and a daemon restart in the middle of a pod's life keeping
// sandbox and container IDs and states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeaks, waitFor } from '../helpers/leaks.js';
import { timeScale } from '../helpers/wait.js';
import type { Message } from './client.js';
import { containerConfig, containerStatus, sandboxConfig, sandboxStatus, startCriTest } from './harness.js';

const MEMORY_LIMIT = 16 * 1024 * 1024;
/** Holds 64 MiB in a shell variable: far over the limit. */
const ALLOCATE = ['sh', '-c', 'x=$(head -c 67108864 /dev/zero | tr "\\0" a); echo survived'];

test('CRI: OOMKilled, container events, and a daemon restart keeps IDs and states', { timeout: 240_000 * timeScale() }, async (t) => {
  const cri = await startCriTest(t);
  const { roots } = cri;
  const events: Message[] = [];
  const stream = cri.client.stream('GetContainerEvents', {});
  stream.on('data', (e: Message) => events.push(e));
  stream.on('error', () => undefined);

  const { pod_sandbox_id: podId } = await cri.client.runtime<{ pod_sandbox_id: string }>('RunPodSandbox', { config: sandboxConfig(roots, 'mem') });
  const { container_id: hog } = await cri.client.runtime<{ container_id: string }>('CreateContainer', {
    pod_sandbox_id: podId,
    config: containerConfig('hog', ALLOCATE, { linux: { resources: { memory_limit_in_bytes: MEMORY_LIMIT } } }),
  });
  await cri.client.runtime('StartContainer', { container_id: hog });
  await waitFor(async () => (await containerStatus(cri.client, hog)).state === 'CONTAINER_EXITED', { timeoutMs: 30_000, description: 'the hog to exit' });
  const oom = await containerStatus(cri.client, hog);
  assert.equal(oom.reason, 'OOMKilled');
  assert.notEqual(oom.exit_code, 0);
  const resources = (
    await cri.client.runtime<{ status: { resources: { linux: { memory_limit_in_bytes: string } } } }>('ContainerStatus', { container_id: hog })
  ).status.resources;
  assert.equal(resources.linux.memory_limit_in_bytes, String(MEMORY_LIMIT));

  // Events: created, started and stopped for the hog, in order.
  await waitFor(() => Promise.resolve(events.filter((e) => e['container_id'] === hog).length >= 3), {
    timeoutMs: 10_000,
    description: 'three events for the hog',
  });
  assert.deepEqual(
    events.filter((e) => e['container_id'] === hog).map((e) => e['container_event_type']),
    ['CONTAINER_CREATED_EVENT', 'CONTAINER_STARTED_EVENT', 'CONTAINER_STOPPED_EVENT'],
  );
  stream.cancel();

  // A long-running container, then the daemon restarts under it.
  const { container_id: app } = await cri.client.runtime<{ container_id: string }>('CreateContainer', {
    pod_sandbox_id: podId,
    config: containerConfig('app', ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done']),
  });
  await cri.client.runtime('StartContainer', { container_id: app });
  const { container_id: idle } = await cri.client.runtime<{ container_id: string }>('CreateContainer', {
    pod_sandbox_id: podId,
    config: containerConfig('idle', ['true']),
  });
  const before = await sandboxStatus(cri.client, podId);

  await cri.restart();

  const after = await sandboxStatus(cri.client, podId);
  assert.equal(after.status.state, 'SANDBOX_READY');
  assert.equal(after.status.network?.ip, before.status.network?.ip);
  assert.equal(after.status.created_at, before.status.created_at);
  assert.equal((await containerStatus(cri.client, app)).state, 'CONTAINER_RUNNING');
  assert.equal((await containerStatus(cri.client, idle)).state, 'CONTAINER_CREATED');
  const afterOom = await containerStatus(cri.client, hog);
  assert.equal(afterOom.state, 'CONTAINER_EXITED');
  assert.equal(afterOom.reason, 'OOMKilled');
  const listed = await cri.client.runtime<{ containers: { id: string }[] }>('ListContainers', { filter: { pod_sandbox_id: podId } });
  assert.deepEqual(new Set(listed.containers.map((c) => c.id)), new Set([hog, app, idle]));
  // The adopted container is still watched: stopping it is recorded with its exit code.
  await cri.client.runtime('StopContainer', { container_id: app, timeout: 10 });
  const stopped = await containerStatus(cri.client, app);
  assert.equal(stopped.state, 'CONTAINER_EXITED');
  assert.equal(stopped.exit_code, 0);

  await cri.client.runtime('StopPodSandbox', { pod_sandbox_id: podId });
  await cri.client.runtime('RemovePodSandbox', { pod_sandbox_id: podId });
  await cri.daemon.stop();
  await assertNoLeaks(roots.config);
});
