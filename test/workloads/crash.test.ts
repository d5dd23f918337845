// Crash injection for the workload controllers of issue #17 items 2 and 3: the daemon is SIGKILLed at a
// fault point (src/common/fault.ts) between two of a controller's side effects, then started again
// without faults. What it had begun must be finished, nothing made twice, and everything gone after the
// objects are deleted:
// - StatefulSet mid-scale-up: right after web-1's claim, and right after web-1's pod was created;
// - local-path: after a volume directory was made (before its PV), and after one was removed (before its PV went);
// - DaemonSet mid-rollout: after the old pod was deleted, before the new one was created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTestRoots, type TestRoots } from '../helpers/roots.js';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { waitFor } from '../helpers/wait.js';
import { claimNames, cli, daemonSetManifest, isReady, listPods, statefulSetManifest, volumeDirectories, WAIT_MS } from './helpers.js';

interface CrashRun {
  readonly roots: TestRoots;
  readonly env: NodeJS.ProcessEnv;
  /** Starts a daemon (with `fault`, it must die there); the run's teardown stops the last one. */
  start(fault?: string): Promise<TestDaemon>;
  /** Waits for the daemon started with a fault to have died by SIGKILL. */
  died(daemon: TestDaemon): Promise<void>;
  apply(name: string, manifest: string): Promise<void>;
}

async function crashRun(t: { after: (fn: () => Promise<void>) => void }): Promise<CrashRun> {
  const roots = await makeTestRoots();
  let current: TestDaemon | undefined;
  t.after(async () => {
    await current?.stop().catch(() => undefined);
    await roots.cleanup();
  });
  const loader = await startDaemon(roots);
  await loadBusybox(roots).finally(() => loader.stop());
  const env = roots.env();
  return {
    roots,
    env,
    async start(fault) {
      current = await startDaemon(roots, fault ? { PEAPOD_FAULT: fault } : {});
      return current;
    },
    async died(daemon) {
      await waitFor(() => daemon.child.exitCode !== null || daemon.child.signalCode !== null, {
        timeoutMs: WAIT_MS,
        description: 'the daemon to die at its fault point',
      });
      assert.equal(daemon.child.signalCode, 'SIGKILL');
    },
    async apply(name, manifest) {
      const file = join(roots.dir, name);
      await writeFile(file, manifest);
      await cli(env, ['apply', '-f', file]);
    },
  };
}

for (const fault of ['statefulset.claim-created#2', 'statefulset.pod-created#2', 'local-path.directory-created#2']) {
  test(`StatefulSet: a daemon killed mid-scale-up (${fault}) resumes`, async (t) => {
    const run = await crashRun(t);
    const { env, roots } = run;
    await run.died(await run.start(fault).then(async (d) => (await run.apply('web.yaml', statefulSetManifest({ replicas: 3 })), d)));
    const daemon = await run.start();
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
    await waitFor(async () => (await volumeDirectories(roots.config)).length === 0 && !/pvc-/.test(await cli(env, ['get', 'pv'])), {
      timeoutMs: WAIT_MS,
      description: 'the volumes to be gone',
    });
    await daemon.stop();
    await assertNoLeaks(roots.config);
  });
}

test('local-path: a daemon killed between removing a volume directory and its PV finishes the reclaim', async (t) => {
  const run = await crashRun(t);
  const { env, roots } = run;
  let daemon = await run.start();
  await run.apply('web.yaml', statefulSetManifest({ replicas: 1 }));
  await waitFor(async () => isReady((await listPods(env)).get('web-0')), { timeoutMs: WAIT_MS, description: 'web-0 to be ready' });
  await cli(env, ['delete', 'sts', 'web']);
  await waitFor(async () => (await listPods(env)).size === 0, { timeoutMs: WAIT_MS, description: 'the pod to be gone' });
  await daemon.stop();
  const dying = await run.start('local-path.directory-removed#1');
  await cli(env, ['delete', 'pvc', 'data-web-0', '--no-wait']);
  await run.died(dying);
  daemon = await run.start();
  await waitFor(async () => (await volumeDirectories(roots.config)).length === 0 && !/pvc-/.test(await cli(env, ['get', 'pv'])), {
    timeoutMs: WAIT_MS,
    description: 'the PV to be gone too',
  });
  await daemon.stop();
  await assertNoLeaks(roots.config);
});

test('DaemonSet: a daemon killed mid-rollout (old pod deleted, new one not yet created) finishes it', async (t) => {
  const run = await crashRun(t);
  const { env, roots } = run;
  let daemon = await run.start();
  await run.apply('agent.yaml', daemonSetManifest({ name: 'agent', version: '1' }));
  const ready = async (): Promise<string | undefined> => {
    const pods = [...(await listPods(env)).values()].filter((p) => p.metadata.name.startsWith('agent-'));
    return pods.length === 1 && isReady(pods[0]) ? pods[0]?.metadata.labels?.['controller-revision-hash'] : undefined;
  };
  const oldHash = await waitFor(ready, { timeoutMs: WAIT_MS, intervalMs: 200, description: 'the agent to be ready' });
  await daemon.stop();
  const dying = await run.start('daemonset.pod-deleted#1');
  await run.apply('agent.yaml', daemonSetManifest({ name: 'agent', version: '2' }));
  await run.died(dying);
  daemon = await run.start();
  await waitFor(
    async () => {
      const hash = await ready();
      return hash !== undefined && hash !== oldHash;
    },
    { timeoutMs: WAIT_MS, intervalMs: 200, description: 'the agent to run the new template' },
  );
  await cli(env, ['delete', 'ds', 'agent']);
  await waitFor(async () => (await listPods(env)).size === 0, { timeoutMs: WAIT_MS, description: 'the agent to be gone' });
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
