// CRI ExecSync is bytes in, bytes out: random bytes written by a command in the container reach the
// client unchanged on stdout and on stderr (no UTF-8 decoding on the way, no U+FFFD replacement).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeaks } from '../helpers/leaks.js';
import { containerConfig, sandboxConfig, startCriTest } from './harness.js';

const SIZE = 65_536;

interface ExecSyncResponse {
  stdout: Buffer;
  stderr: Buffer;
  exit_code: number;
}

test('CRI ExecSync: random bytes pass unchanged through stdout and stderr', { timeout: 120_000 }, async (t) => {
  const cri = await startCriTest(t);
  const { client, roots } = cri;
  const config = sandboxConfig(roots, 'bytes');
  const { pod_sandbox_id: podId } = await client.runtime<{ pod_sandbox_id: string }>('RunPodSandbox', { config });
  const { container_id: id } = await client.runtime<{ container_id: string }>('CreateContainer', {
    pod_sandbox_id: podId,
    config: containerConfig('c', ['sleep', '3600']),
    sandbox_config: config,
  });
  await client.runtime('StartContainer', { container_id: id });

  const exec = (cmd: string): Promise<ExecSyncResponse> =>
    client.runtime<ExecSyncResponse>('ExecSync', { container_id: id, cmd: ['sh', '-c', cmd], timeout: 30 });
  const written = await exec(`head -c ${SIZE} /dev/urandom | tee /tmp/random`);
  assert.equal(written.exit_code, 0, written.stderr.toString());
  // The container's own account of the bytes, as hex text (ASCII survives any decoding).
  const hex = await exec('od -An -tx1 -v /tmp/random');
  const expected = Buffer.from(hex.stdout.toString('ascii').replace(/\s+/g, ''), 'hex');
  assert.equal(expected.length, SIZE);
  assert.equal(written.stdout.length, SIZE, 'stdout length');
  assert.ok(written.stdout.equals(expected), 'stdout bytes unchanged');
  const onStderr = await exec('cat /tmp/random >&2');
  assert.equal(onStderr.stderr.length, SIZE, 'stderr length');
  assert.ok(onStderr.stderr.equals(expected), 'stderr bytes unchanged');

  await client.runtime('StopPodSandbox', { pod_sandbox_id: podId });
  await client.runtime('RemovePodSandbox', { pod_sandbox_id: podId });
  client.close();
  await cri.daemon.stop();
  await assertNoLeaks(roots.config);
});
