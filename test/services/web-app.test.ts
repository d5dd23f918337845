// examples/web-app/ applied as a whole (#17's "done means"): a Deployment of two ready httpd replicas, a
// Service over their named port and a client pod that reaches it by its DNS name; `delete -f` of the
// directory leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';

const APP = fileURLToPath(new URL('../../../examples/web-app', import.meta.url));

test('examples/web-app: one apply -f of the directory, the client reaches both replicas by name, delete -f cleans up', { timeout: 240_000 }, async (t) => {
  const { env, roots, daemon } = await startPodTest(t);
  const applied = await runCli(env, ['apply', '-f', APP]);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /^service\/web created$/m);
  assert.match(applied.stdout, /^deployment\.apps\/web created$/m);
  // The client's log names the pods that answered: both replicas, over a bounded number of fetches.
  const answered = await waitFor(
    async () => {
      const lines = (await runCli(env, ['logs', 'client'])).stdout.trim().split('\n');
      const names = new Set(lines.filter((l) => l.startsWith('web-')));
      return names.size === 2 ? names : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 1000, description: 'the client to have been answered by both web replicas' },
  );
  const pods = (await runCli(env, ['get', 'pods'])).stdout;
  for (const name of answered) assert.match(pods, new RegExp(`^${name}\\s+1/1\\s+Running\\s`, 'm'), `${name} is one of the Deployment's ready pods`);

  const deleted = await runCli(env, ['delete', '-f', APP]);
  assert.equal(deleted.code, 0, deleted.stderr);
  await waitFor(async () => !/^(web|client)/m.test((await runCli(env, ['get', 'pods'])).stdout), {
    timeoutMs: 60_000,
    intervalMs: 500,
    description: 'every pod to be gone',
  });
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
