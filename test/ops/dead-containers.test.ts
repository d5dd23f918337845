// Dead containers of a restarting pod do not pile up: as the kubelet's container GC with
// MaxPerPodContainer 1, only the current attempt and the one before it (for `logs --previous`) are kept,
// and an older attempt's log goes with its container.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { paths } from '../../src/common/config.js';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';

interface PodJson {
  metadata: { uid: string };
  status: { containerStatuses?: { restartCount: number }[] };
}

test('a crash-looping pod keeps one dead attempt and its log, no more', { timeout: 120_000 }, async (t) => {
  const frame = await startPodTest(t);
  const { roots, env, daemon } = frame;
  await frame.apply(
    'crash.yaml',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: crash}\nspec:\n  containers: [{name: c, image: busybox, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "echo attempt; exit 3"]}]\n',
  );
  // CrashLoopBackOff: 10 s, then 20 s: the third attempt (restartCount 2) comes after about 30 s.
  const pod = await waitFor(
    async () => {
      const p = await frame.pod<PodJson>('crash');
      return (p?.status.containerStatuses?.[0]?.restartCount ?? 0) >= 2 ? p : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, description: 'the third attempt' },
  );
  const restarts = pod?.status.containerStatuses?.[0]?.restartCount ?? 0;
  const logDir = join(paths(roots.config).logs, `default_crash_${pod?.metadata.uid ?? ''}`, 'c');
  // The worker removes the older attempt when it creates the next one: give that sync a moment.
  const logs = await waitFor(
    async () => {
      const names = (await readdir(logDir)).sort();
      return names.length === 2 ? names : undefined;
    },
    { timeoutMs: 10_000, description: 'two attempt logs' },
  );
  assert.deepEqual(logs, [`${restarts - 1}.log`, `${restarts}.log`]);
  const previous = await runCli(env, ['logs', 'crash', '--previous']);
  assert.equal(previous.stdout, 'attempt\n');
  const records = await readdir(paths(roots.config).containerRecords);
  assert.equal(records.length, 2, `container records: ${records.join(', ')}`);

  assert.equal((await runCli(env, ['delete', 'pod', 'crash', '--now'])).code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
