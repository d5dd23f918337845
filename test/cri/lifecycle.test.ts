// The CRI endpoint end to end against a real daemon: Version, Status, images, and a pod's whole life
// through RunPodSandbox … RemovePodSandbox, with the idempotence and NOT_FOUND answers the kubelet relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { status as grpcStatus } from '@grpc/grpc-js';
import { assertNoLeaks, runCli } from '../helpers/leaks.js';
import { isServiceError } from './client.js';
import { BUSYBOX, containerConfig, containerStatus, sandboxConfig, sandboxStatus, startCriTest } from './harness.js';

const UNKNOWN_ID = 'f'.repeat(64);
/** A container whose PID 1 ignores SIGTERM: only the SIGKILL after the grace period stops it. */
const IGNORES_TERM = ['sh', '-c', "trap '' TERM; echo hello-from-cri; while true; do sleep 1; done"];
const STOP_TIMEOUT_S = 2;

async function rejectsWith(promise: Promise<unknown>, code: grpcStatus, pattern?: RegExp): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isServiceError(err), `expected a gRPC error, got ${String(err)}`);
    assert.equal(err.code, code, `expected ${grpcStatus[code]}, got ${grpcStatus[err.code]}: ${err.details}`);
    if (pattern) assert.match(err.details, pattern);
    return err.details;
  }
  assert.fail(`expected ${grpcStatus[code]}, but the call succeeded`);
}

test('CRI: version, status, images and a pod lifecycle', { timeout: 180_000 }, async (t) => {
  const cri = await startCriTest(t);
  const { client, roots } = cri;

  const version = await client.runtime<Record<string, string>>('Version', { version: '0.1.0' });
  assert.equal(version['runtime_name'], 'peapod');
  assert.equal(version['runtime_api_version'], 'v1');
  const st = await client.runtime<{ status: { conditions: { type: string; status: boolean }[] } }>('Status', {});
  assert.deepEqual(
    st.status.conditions.map((c) => [c.type, c.status]),
    [
      ['RuntimeReady', true],
      ['NetworkReady', true],
    ],
  );

  // Images: the offline busybox was loaded with `peapod load -i`; CRI sees it by name and by ID.
  const listed = await client.image<{ images: { id: string; repo_tags: string[] }[] }>('ListImages', {});
  const busybox = listed.images.find((i) => i.repo_tags.includes(BUSYBOX));
  assert.ok(busybox, `busybox in ${JSON.stringify(listed.images)}`);
  const byName = await client.image<{ image: { id: string; size: string } | null }>('ImageStatus', { image: { image: 'busybox' } });
  assert.equal(byName.image?.id, busybox.id);
  assert.ok(Number(byName.image.size) > 0);
  const missing = await client.image<{ image: unknown }>('ImageStatus', { image: { image: 'docker.io/library/nothing-here:1' } });
  assert.equal(missing.image, null);
  const pulled = await client.image<{ image_ref: string }>('PullImage', { image: { image: busybox.id } });
  assert.equal(pulled.image_ref, busybox.id);
  const fs = await client.image<{ image_filesystems: { used_bytes: { value: string } }[] }>('ImageFsInfo', {});
  assert.ok(Number(fs.image_filesystems[0]?.used_bytes.value) > 0);

  // The pod sandbox.
  const config = sandboxConfig(roots, 'web');
  const { pod_sandbox_id: podId } = await client.runtime<{ pod_sandbox_id: string }>('RunPodSandbox', { config });
  assert.match(podId, /^[0-9a-f]{64}$/);
  const sb = await sandboxStatus(client, podId, true);
  assert.equal(sb.status.state, 'SANDBOX_READY');
  assert.match(sb.status.network?.ip ?? '', /^\d+\.\d+\.\d+\.\d+$/);
  assert.deepEqual(sb.status.linux?.namespaces.options, { network: 'POD', pid: 'CONTAINER', ipc: 'POD', target_id: '', userns_options: null });
  assert.equal(sb.status.metadata.name, 'web');
  assert.equal(sb.status.labels['app'], 'web');
  assert.ok(BigInt(sb.status.created_at) > 1_600_000_000_000_000_000n, 'created_at in nanoseconds');
  assert.match(sb.info['info'] ?? '', /"cgroupParent":"\/peapod-test-[0-9a-f]+\/kubepods\/besteffort\/pod/);
  const bySelector = await client.runtime<{ items: { id: string }[] }>('ListPodSandbox', {
    filter: { label_selector: { app: 'web' }, state: { state: 'SANDBOX_READY' } },
  });
  assert.deepEqual(
    bySelector.items.map((i) => i.id),
    [podId],
  );
  const byPrefix = await client.runtime<{ items: { id: string }[] }>('ListPodSandbox', { filter: { id: podId.slice(0, 12) } });
  assert.deepEqual(
    byPrefix.items.map((i) => i.id),
    [podId],
  );
  const none = await client.runtime<{ items: unknown[] }>('ListPodSandbox', { filter: { label_selector: { app: 'other' } } });
  assert.equal(none.items.length, 0);

  // `peapod get pods` shows the CRI pod too (one store, two doors).
  const got = await runCli(roots.env(), ['get', 'pods', '-A', '-o', 'wide']);
  assert.equal(got.code, 0, got.stderr);
  assert.match(got.stdout, /cri-test\s+web\s+.*\bcri\b/);

  // The container.
  const created = await client.runtime<{ container_id: string }>('CreateContainer', {
    pod_sandbox_id: podId,
    config: containerConfig('app', IGNORES_TERM, { envs: [{ key: 'GREETING', value: Buffer.from('hi') }] }),
    sandbox_config: config,
  });
  const id = created.container_id;
  assert.equal((await containerStatus(client, id)).state, 'CONTAINER_CREATED');
  await client.runtime('StartContainer', { container_id: id });
  const running = await containerStatus(client, id);
  assert.equal(running.state, 'CONTAINER_RUNNING');
  assert.ok(BigInt(running.started_at) >= BigInt(running.created_at));
  assert.equal(running.labels['container'], 'app');
  const listed2 = await client.runtime<{ containers: { id: string }[] }>('ListContainers', {
    filter: { pod_sandbox_id: podId, state: { state: 'CONTAINER_RUNNING' }, label_selector: { container: 'app' } },
  });
  assert.deepEqual(
    listed2.containers.map((c) => c.id),
    [id],
  );

  // ExecSync: output and exit code; a command past its timeout answers DEADLINE_EXCEEDED.
  const exec = await client.runtime<{ stdout: Buffer; stderr: Buffer; exit_code: number }>('ExecSync', {
    container_id: id,
    cmd: ['sh', '-c', 'echo "$GREETING out"; echo err >&2; exit 3'],
    timeout: 10,
  });
  assert.equal(exec.stdout.toString(), 'hi out\n');
  assert.equal(exec.stderr.toString(), 'err\n');
  assert.equal(exec.exit_code, 3);
  const started = Date.now();
  await rejectsWith(client.runtime('ExecSync', { container_id: id, cmd: ['sleep', '30'], timeout: 1 }), grpcStatus.DEADLINE_EXCEEDED, /timed out/);
  assert.ok(Date.now() - started < 10_000, 'the timeout cut the exec short');

  // Stats from the cgroup.
  const stats = await client.runtime<{ stats: { memory: { usage_bytes: { value: string } | null } } }>('ContainerStats', { container_id: id });
  assert.ok(Number(stats.stats.memory.usage_bytes?.value) > 0);

  // StopContainer honours the timeout for a process ignoring SIGTERM, then SIGKILLs it.
  const stopStart = Date.now();
  await client.runtime('StopContainer', { container_id: id, timeout: STOP_TIMEOUT_S });
  const stopMs = Date.now() - stopStart;
  assert.ok(stopMs >= STOP_TIMEOUT_S * 1000 - 100, `stop waited the grace period (${stopMs} ms)`);
  assert.ok(stopMs < STOP_TIMEOUT_S * 1000 + 8000, `stop did not hang (${stopMs} ms)`);
  const exited = await containerStatus(client, id);
  assert.equal(exited.state, 'CONTAINER_EXITED');
  assert.equal(exited.exit_code, 137);
  assert.equal(exited.reason, 'Error');
  assert.ok(BigInt(exited.finished_at) >= BigInt(exited.started_at));
  assert.match(await readFile(exited.log_path, 'utf8'), /stdout F hello-from-cri/);
  await client.runtime('StopContainer', { container_id: id, timeout: 0 });

  // Remove twice; then it is gone.
  await client.runtime('RemoveContainer', { container_id: id });
  await client.runtime('RemoveContainer', { container_id: id });
  await rejectsWith(client.runtime('ContainerStatus', { container_id: id }), grpcStatus.NOT_FOUND);

  await client.runtime('StopPodSandbox', { pod_sandbox_id: podId });
  assert.equal((await sandboxStatus(client, podId)).status.state, 'SANDBOX_NOTREADY');
  await client.runtime('StopPodSandbox', { pod_sandbox_id: podId });
  await client.runtime('RemovePodSandbox', { pod_sandbox_id: podId });
  await client.runtime('RemovePodSandbox', { pod_sandbox_id: podId });
  await rejectsWith(sandboxStatus(client, podId), grpcStatus.NOT_FOUND);

  // Unknown IDs: NOT_FOUND where the kubelet reads state, success where it cleans up.
  await rejectsWith(client.runtime('StartContainer', { container_id: UNKNOWN_ID }), grpcStatus.NOT_FOUND);
  await rejectsWith(client.runtime('ExecSync', { container_id: UNKNOWN_ID, cmd: ['true'] }), grpcStatus.NOT_FOUND);
  await rejectsWith(client.runtime('CreateContainer', { pod_sandbox_id: UNKNOWN_ID, config: containerConfig('x', ['true']) }), grpcStatus.NOT_FOUND);
  await client.runtime('StopContainer', { container_id: UNKNOWN_ID, timeout: 1 });
  await client.runtime('RemoveContainer', { container_id: UNKNOWN_ID });
  await client.runtime('StopPodSandbox', { pod_sandbox_id: UNKNOWN_ID });
  await client.runtime('RemovePodSandbox', { pod_sandbox_id: UNKNOWN_ID });
  await rejectsWith(client.runtime('Exec', { container_id: UNKNOWN_ID, cmd: ['sh'] }), grpcStatus.NOT_FOUND);
  await rejectsWith(client.runtime('CheckpointContainer', { container_id: UNKNOWN_ID }), grpcStatus.UNIMPLEMENTED, /not implemented/);

  await cri.daemon.stop();
  await assertNoLeaks(roots.config);
});
