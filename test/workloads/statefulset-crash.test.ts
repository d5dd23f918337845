// A daemon killed in the middle of a StatefulSet's scale-up (just after it created web-1's pod, before it
// recorded anything else) resumes where it was when restarted: web-2 follows, no pod or claim is made
// twice, and everything goes away when the set and its claims are deleted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTestRoots } from '../helpers/roots.js';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { waitFor } from '../helpers/wait.js';
import { claimNames, cli, isReady, listPods, statefulSetManifest, volumeDirectories, WAIT_MS } from './helpers.js';

test('StatefulSet: a daemon killed mid-scale-up resumes', async (t) => {
  const roots = await makeTestRoots();
  const env = roots.env();
  let daemon: TestDaemon | undefined;
  t.after(async () => {
    await daemon?.stop().catch(() => undefined);
    await roots.cleanup();
  });
  const loader = await startDaemon(roots);
  await loadBusybox(roots).finally(() => loader.stop());

  daemon = await startDaemon(roots, { PEAPOD_FAULT: 'statefulset.pod-created#2' });
  const file = join(roots.dir, 'web.yaml');
  await writeFile(file, statefulSetManifest({ replicas: 3 }));
  await cli(env, ['apply', '-f', file]);
  const dying = daemon;
  await waitFor(() => dying.child.exitCode !== null || dying.child.signalCode !== null, {
    timeoutMs: WAIT_MS,
    description: 'the daemon to die after creating web-1',
  });
  assert.equal(dying.child.signalCode, 'SIGKILL');

  daemon = await startDaemon(roots);
  await waitFor(
    async () => {
      const pods = await listPods(env);
      return ['web-0', 'web-1', 'web-2'].every((n) => isReady(pods.get(n)));
    },
    { timeoutMs: WAIT_MS, intervalMs: 200, description: 'web-0..2 to be ready after the restart' },
  );
  assert.deepEqual([...(await listPods(env)).keys()].sort(), ['web-0', 'web-1', 'web-2']);
  assert.deepEqual(await claimNames(env), ['data-web-0', 'data-web-1', 'data-web-2']);
  assert.equal((await volumeDirectories(roots.config)).length, 3);
  assert.match(await cli(env, ['get', 'sts', 'web']), /\nweb\s+3\/3\s/);

  await cli(env, ['delete', 'sts', 'web']);
  await waitFor(async () => (await listPods(env)).size === 0, { timeoutMs: WAIT_MS, description: 'the pods to be gone' });
  await cli(env, ['delete', 'pvc', 'data-web-0', 'data-web-1', 'data-web-2']);
  await waitFor(async () => (await volumeDirectories(roots.config)).length === 0, { timeoutMs: WAIT_MS, description: 'the volume directories to be gone' });
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
