// The OCI runtime binary missing (PEAPOD_RUNTIME names a path with nothing there yet): a pod stays
// Pending and says which binary is missing, deleting it completes at once, nothing of a sandbox is left
// between attempts, and once the binary appears the very same daemon runs pods (nothing cached the failure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { which } from '../../src/host/which.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { makeTestRoots } from '../helpers/roots.js';
import { applyManifest, busyboxPod, deletePods, getPod, waitDescribed, waitFootprint, waitRunning } from './common.js';

/** A delete of a pod that never got a sandbox has nothing to wait for: seconds, not a retry loop. */
const PROMPT_DELETE_MS = 15_000;

test('runc missing: the pod stays Pending naming the missing binary, deletes promptly, and runs once runc is there', { timeout: 240_000 }, async (t) => {
  const realRunc = await which('runc');
  assert.ok(realRunc, 'runc is installed');
  const base = await makeTestRoots();
  const started: { daemon?: TestDaemon } = {};
  t.after(async () => {
    await started.daemon?.stop();
    await base.cleanup();
  });
  const runtimePath = join(base.dir, 'bin', 'runc');
  const config = { ...base.config, runtimePath };
  const env = { ...base.env(), PEAPOD_RUNTIME: runtimePath };
  const roots = { ...base, config, env: () => env };
  const daemon = (started.daemon = await startDaemon(roots));
  await loadBusybox(roots);

  await applyManifest(roots, env, 'norunc', busyboxPod('norunc'));
  const text = await waitDescribed(env, 'norunc', /FailedCreatePodSandBox/, 'the sandbox failure event');
  const event = text.split('\n').find((l) => l.includes('FailedCreatePodSandBox')) ?? '';
  t.diagnostic(event.trim());
  assert.ok(event.includes(runtimePath), `the event names ${runtimePath}: ${event}`);
  assert.match(event, /runtime binary is missing/, 'the event says the runtime binary is missing');
  const pod = await getPod(env, 'norunc');
  assert.equal(pod?.status?.phase, 'Pending');

  // Between attempts nothing of a sandbox exists: no netns pin, veth, lease, pod cgroup, record or runc state.
  await waitFootprint(config, 0, 0, 'a moment between sandbox attempts with nothing of a sandbox on the host');

  // Deleting the Pending pod must not wait on (or retry) a runtime that is not there.
  const took = await deletePods(env, ['norunc'], PROMPT_DELETE_MS);
  assert.ok(took < PROMPT_DELETE_MS, `delete took ${took} ms`);
  assert.equal(await getPod(env, 'norunc'), undefined, 'the pod is gone');

  // The binary appears: the same daemon must use it (the failed lookup was not cached).
  await mkdir(join(base.dir, 'bin'));
  await symlink(realRunc, runtimePath);
  await applyManifest(roots, env, 'withrunc', busyboxPod('withrunc'));
  await waitRunning(env, 'withrunc', 'the pod to run once runc is there');
  await deletePods(env, ['withrunc']);
  await daemon.stop();
  await assertNoLeaks(config);
});
