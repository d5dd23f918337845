// A container with no monitor (a pod's pause process): `run` starts it with one `runc run --detach` and no
// conmon; its output goes to a file, its exit is read from /proc, and stop, remove and the standing watch
// behave as for a monitored container.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { paths } from '../../src/common/config.js';
import { readMeta } from '../../src/host/oci-runtime/meta.js';
import { UNKNOWN_EXIT_CODE } from '../../src/host/oci-runtime/types.js';
import { findProcesses, isAlive } from '../../src/host/proc.js';
import { waitFor } from '../helpers/wait.js';
import { makeRuntimeFixture, type RuntimeFixture } from './fixture.js';

let fx: RuntimeFixture;
before(async () => {
  fx = await makeRuntimeFixture();
});
after(async () => {
  await fx.teardown();
});

async function runUnmonitored(args: readonly string[]): Promise<{ id: string; pid: number; outputPath: string }> {
  const c = await fx.bundle(args);
  const outputPath = join(c.bundle, 'output.log');
  const { pid } = await fx.runtime.run(c.id, { bundle: c.bundle, outputPath });
  return { id: c.id, pid, outputPath };
}

test('run: one runc run, no conmon; the output goes to the file; stop and remove leave nothing', async () => {
  const c = await runUnmonitored(['sh', '-c', "trap 'exit 0' TERM; echo started; while true; do sleep 1 & wait $!; done"]);
  const state = await fx.runtime.state(c.id);
  assert.deepEqual(state && state.status === 'running' ? { status: state.status, pid: state.pid } : state, { status: 'running', pid: c.pid });
  const conmons = await findProcesses((argv) => (argv[0] ?? '').endsWith('conmon') && argv.includes(c.id));
  assert.deepEqual(conmons, [], 'no conmon for it');
  const meta = await readMeta(join(paths(fx.roots.config).conmon, c.id));
  assert.equal(meta?.unmonitored, true);
  assert.equal(meta?.pid, c.pid);
  await waitFor(async () => (await readFile(c.outputPath, 'utf8')).includes('started'), { timeoutMs: 5000, description: 'its output in the file' });

  const exit = await fx.runtime.stop(c.id, 5000);
  assert.equal(exit.exitCode, UNKNOWN_EXIT_CODE, 'nobody recorded the exit code');
  assert.equal(await isAlive(c.pid), false);
  await fx.runtime.remove(c.id);
  assert.equal(await fx.runtime.state(c.id), undefined);
  await fx.runtime.remove(c.id); // idempotent
});

test('run: runc’s error is reported and nothing is left behind', async () => {
  const c = await fx.bundle(['sleep', '1000']);
  const configPath = join(c.bundle, 'config.json');
  const config = JSON.parse(await readFile(configPath, 'utf8')) as { root: { path: string } };
  config.root.path = 'missing-rootfs';
  await writeFile(configPath, JSON.stringify(config));
  await assert.rejects(fx.runtime.run(c.id, { bundle: c.bundle, outputPath: join(c.bundle, 'output.log') }), /run .* failed \(exit 1\): .*missing-rootfs/);
  assert.equal(await fx.runtime.state(c.id), undefined);
  assert.ok(!(await fx.runtime.list()).includes(c.id));
});

test('the standing watch sees a death it did not cause; an aborted wait ends at once', async () => {
  const c = await runUnmonitored(['sleep', '1000']);
  const aborted = new AbortController();
  const cancelled = fx.runtime.waitExit(c.id, 24 * 3600 * 1000, aborted.signal);
  aborted.abort();
  await assert.rejects(cancelled, /cancelled/);
  const watch = fx.runtime.waitExit(c.id, 24 * 3600 * 1000);
  process.kill(c.pid, 'SIGKILL');
  assert.equal((await watch).exitCode, UNKNOWN_EXIT_CODE);
  const state = await fx.runtime.state(c.id);
  assert.equal(state?.status, 'stopped');
  await fx.runtime.remove(c.id);
});

test('stop: a process that ignores SIGTERM is KILLed after the grace period', async () => {
  const c = await runUnmonitored(['sleep', '1000']); // PID 1 without a handler: SIGTERM does nothing
  const exit = await fx.runtime.stop(c.id, 300);
  assert.equal(exit.exitCode, UNKNOWN_EXIT_CODE);
  assert.equal(await isAlive(c.pid), false);
  await fx.runtime.remove(c.id);
});
