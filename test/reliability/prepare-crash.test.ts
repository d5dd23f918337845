// Crash windows of the containers prepared while their sandbox is made (src/runtime/container/prepare.ts),
// which the crash-injection test (first crossing of each point) does not reach: the daemon is SIGKILLed
// with the rootfs of both containers mounted while the pause is made, with the sandbox ready (and not yet
// in the pod record) and both prepared containers not yet claimed, with a claimed one's bundle written
// and runc not yet asked, and with runc done while its record still says `creating`. After a restart the pod must run completely (its record was written before any of these
// points) in one sandbox, no container restarted, and once deleted leave nothing on the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { paths } from '../../src/common/config.js';
import { makeTestRoots } from '../helpers/roots.js';
import { loadBusybox, startDaemon } from '../helpers/daemon.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { complete, getPod, MANIFEST, startPhase } from './crash.js';

const DEATH_MS = 60_000;
const RECOVERY_MS = 60_000;

const KILL_POINTS = [
  // Puts of container records: #1 and #2 the prepared ones; the mounts are their rootfs.
  { point: 'mounts.overlay.after#2', window: 'both prepared rootfs mounted, the sandbox still being made' },
  // Sandbox record writes: creating, netns + network, ready.
  { point: 'records.sandboxes.put.after#3', window: 'the sandbox ready but not in the pod record, its prepared containers unclaimed' },
  // A prepared record lists every step of its create at once (create.ts newRecord): the windows are runc's.
  { point: 'oci.create.before#1', window: 'a prepared container claimed, its bundle written, runc not yet asked' },
  { point: 'oci.create.after#1', window: 'runc created a prepared container whose record still says creating, with a placeholder config' },
];

for (const { point, window } of KILL_POINTS) {
  test(`killed at ${point} (${window}): the pod runs after a restart, nothing leaks after its delete`, { timeout: 5 * 60_000 }, async (t) => {
    const roots = await makeTestRoots();
    t.after(() => roots.cleanup());
    await writeFile(join(roots.dir, 'crash.yaml'), MANIFEST);
    const loader = await startDaemon(roots);
    await loadBusybox(roots).finally(() => loader.stop());

    const doomed = await startDaemon(roots, { PEAPOD_FAULT: point });
    const apply = startPhase('apply', roots);
    const died = await waitFor(() => doomed.child.exitCode !== null || doomed.child.signalCode !== null, {
      timeoutMs: DEATH_MS,
      intervalMs: 20,
      description: `the daemon to die at ${point}`,
    }).catch(async (err: unknown) => {
      await doomed.kill();
      throw err;
    });
    assert.ok(died);
    assert.equal(doomed.child.signalCode, 'SIGKILL');
    await apply;

    const env = roots.env();
    const recovered = await startDaemon(roots);
    try {
      await waitFor(async () => complete(await getPod(env)), { timeoutMs: RECOVERY_MS, intervalMs: 100, description: 'the pod to run completely' });
      const pod = await getPod(env);
      for (const c of pod?.status?.containerStatuses ?? []) assert.equal(c.restartCount, 0, `${c.name} restarted`);
      // A ready sandbox the pod record did not name yet is adopted, not left beside a second one.
      const sandboxes = (await readdir(paths(roots.config).sandboxRecords)).filter((f) => f.endsWith('.json'));
      assert.equal(sandboxes.length, 1, `sandbox records: ${sandboxes.join(', ')}`);
      const r = await runCli(env, ['delete', 'pod', 'crash']);
      assert.equal(r.code, 0, r.stderr);
    } finally {
      await recovered.stop();
    }
    await assertNoLeaks(roots.config);
  });
}
