// Name reservation: a sandbox or container name in use is ALREADY_EXISTS naming its holder; a create
// that fails releases the name, so the retry succeeds (no "name is reserved" loop).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { status as grpcStatus } from '@grpc/grpc-js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { isServiceError } from './client.js';
import { containerConfig, sandboxConfig, startCriTest } from './harness.js';

async function code(promise: Promise<unknown>): Promise<{ code: grpcStatus; details: string }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isServiceError(err), String(err));
    return { code: err.code, details: err.details };
  }
  assert.fail('expected the call to fail');
}

test('CRI: duplicate names are ALREADY_EXISTS with the holder; failed creates release them', { timeout: 180_000 }, async (t) => {
  const { client, roots, daemon } = await startCriTest(t);

  const config = sandboxConfig(roots, 'dup');
  const { pod_sandbox_id: podId } = await client.runtime<{ pod_sandbox_id: string }>('RunPodSandbox', { config });
  const dupSandbox = await code(client.runtime('RunPodSandbox', { config }));
  assert.equal(dupSandbox.code, grpcStatus.ALREADY_EXISTS);
  assert.ok(dupSandbox.details.includes(podId), dupSandbox.details);
  assert.ok(dupSandbox.details.includes('dup_cri-test_'), dupSandbox.details);

  // A sandbox whose creation fails (runc cannot write an unknown sysctl) leaves its name free.
  const bad = sandboxConfig(roots, 'retry');
  const badLinux = bad['linux'] as Record<string, unknown>;
  const failed = await code(client.runtime('RunPodSandbox', { config: { ...bad, linux: { ...badLinux, sysctls: { 'net.peapod.no_such_key': '1' } } } }));
  assert.notEqual(failed.code, grpcStatus.OK);
  assert.notEqual(failed.code, grpcStatus.ALREADY_EXISTS, failed.details);
  const { pod_sandbox_id: retryId } = await client.runtime<{ pod_sandbox_id: string }>('RunPodSandbox', { config: bad });
  assert.match(retryId, /^[0-9a-f]{64}$/);

  const { container_id: first } = await client.runtime<{ container_id: string }>('CreateContainer', {
    pod_sandbox_id: podId,
    config: containerConfig('app', ['sleep', '3600']),
  });
  const dupContainer = await code(client.runtime('CreateContainer', { pod_sandbox_id: podId, config: containerConfig('app', ['sleep', '3600']) }));
  assert.equal(dupContainer.code, grpcStatus.ALREADY_EXISTS);
  assert.ok(dupContainer.details.includes(first), dupContainer.details);
  // The same name at the next attempt, or in another sandbox, is a different name.
  await client.runtime('CreateContainer', {
    pod_sandbox_id: podId,
    config: containerConfig('app', ['sleep', '3600'], { metadata: { name: 'app', attempt: 1 } }),
  });
  await client.runtime('CreateContainer', { pod_sandbox_id: retryId, config: containerConfig('app', ['sleep', '3600']) });

  // A container whose create fails (its bind mount source does not exist) releases its name.
  const missingMount = { mounts: [{ container_path: '/data', host_path: join(roots.dir, 'no-such-dir') }] };
  const failedContainer = await code(
    client.runtime('CreateContainer', { pod_sandbox_id: podId, config: containerConfig('side', ['sleep', '3600'], missingMount) }),
  );
  assert.notEqual(failedContainer.code, grpcStatus.ALREADY_EXISTS, failedContainer.details);
  const { container_id: side } = await client.runtime<{ container_id: string }>('CreateContainer', {
    pod_sandbox_id: podId,
    config: containerConfig('side', ['sleep', '3600']),
  });
  assert.match(side, /^[0-9a-f]{64}$/);

  // After removal the name is free again.
  await client.runtime('RemoveContainer', { container_id: first });
  await client.runtime('CreateContainer', { pod_sandbox_id: podId, config: containerConfig('app', ['sleep', '3600']) });

  for (const id of [podId, retryId]) {
    await client.runtime('StopPodSandbox', { pod_sandbox_id: id });
    await client.runtime('RemovePodSandbox', { pod_sandbox_id: id });
  }
  const again = await client.runtime<{ pod_sandbox_id: string }>('RunPodSandbox', { config });
  assert.notEqual(again.pod_sandbox_id, podId);
  await client.runtime('StopPodSandbox', { pod_sandbox_id: again.pod_sandbox_id });
  await client.runtime('RemovePodSandbox', { pod_sandbox_id: again.pod_sandbox_id });

  await daemon.stop();
  await assertNoLeaks(roots.config);
});
