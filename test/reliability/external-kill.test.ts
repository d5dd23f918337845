// Processes peapod relies on, killed from outside while the daemon runs: a container's conmon, the
// pod's pause process, and runc in the middle of creating a container. Status must stay true to what
// runs, the kubelet logic must repair what it can, and deleting the pod must leave nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { paths } from '../../src/common/config.js';
import { findProcesses, readProcStat } from '../../src/host/proc.js';
import { readMeta } from '../../src/host/oci-runtime/meta.js';
import { which } from '../../src/host/which.js';
import { startPodTest, type PodTest } from '../helpers/pod-test.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { makeTestRoots } from '../helpers/roots.js';
import { loadBusybox, startDaemon } from '../helpers/daemon.js';
import { complete, containerStatus, MANIFEST, POD, type PodView } from './crash.js';

const SETTLE_MS = 60_000;

const idOf = (pod: PodView | undefined, name: string): string => {
  const id = containerStatus(pod, name)?.containerID?.replace('peapod://', '');
  assert.ok(id, `${name} has a container ID`);
  return id;
};

async function runningPod(p: PodTest, description: string, extra: (pod: PodView) => boolean = () => true): Promise<PodView> {
  return waitFor(
    async () => {
      const pod = await p.pod<PodView>(POD);
      return pod && complete(pod) && extra(pod) ? pod : undefined;
    },
    { timeoutMs: SETTLE_MS, intervalMs: 100, description },
  );
}

async function conmonOf(containerId: string): Promise<number> {
  const [conmon] = await findProcesses((argv) => (argv[0] ?? '').endsWith('conmon') && argv.includes(containerId));
  assert.ok(conmon, `conmon of ${containerId}`);
  return conmon.pid;
}

async function deleteAndCheck(p: PodTest): Promise<void> {
  const r = await runCli(p.env, ['delete', 'pod', POD]);
  assert.equal(r.code, 0, r.stderr);
  await p.daemon.stop();
  await assertNoLeaks(p.roots.config);
}

test('conmon killed: the container keeps running and its status says so; when it then dies it is noticed and restarted', { timeout: 180_000 }, async (t) => {
  const p = await startPodTest(t);
  await p.apply('crash.yaml', MANIFEST);
  const before = await runningPod(p, 'the pod to run');
  const steady = idOf(before, 'steady');
  process.kill(await conmonOf(steady), 'SIGKILL');
  // The container outlives its monitor: still running, same container, no restart.
  const r = await runCli(p.env, ['get', 'pod', POD, '-o', 'json']);
  const after = JSON.parse(r.stdout) as PodView;
  assert.equal(idOf(after, 'steady'), steady);
  assert.ok(containerStatus(after, 'steady')?.state.running, 'steady is still reported running');
  // Its init dies with nobody to write the exit file: peapod must see it and restart the container.
  const meta = await readMeta(join(paths(p.roots.config).conmon, steady));
  assert.ok(meta, 'conmon meta of steady');
  process.kill(meta.pid, 'SIGKILL');
  const restarted = await runningPod(p, 'steady to be restarted', (pod) => containerStatus(pod, 'steady')?.restartCount === 1);
  assert.notEqual(idOf(restarted, 'steady'), steady);
  await deleteAndCheck(p);
});

test('pause process killed: the sandbox is re-created and the containers restarted in it, like the kubelet', { timeout: 180_000 }, async (t) => {
  const p = await startPodTest(t);
  await p.apply('crash.yaml', MANIFEST);
  const before = await runningPod(p, 'the pod to run');
  const conmons = await findProcesses((argv) => (argv[0] ?? '').endsWith('conmon') && argv.some((a) => a.includes(p.roots.dir)));
  const containerIds = [idOf(before, 'steady'), idOf(before, 'crasher')];
  // One conmon per container and none for the pause, which runs with no monitor.
  assert.deepEqual(
    conmons.map((c) => containerIds.filter((id) => c.cmdline.some((a) => a.includes(id))).length),
    [1, 1],
    'one conmon per container only',
  );
  const conmonDir = paths(p.roots.config).conmon;
  const metas = await Promise.all((await readdir(conmonDir)).map((id) => readMeta(join(conmonDir, id))));
  const pauses = metas.filter((m) => m?.unmonitored === true);
  assert.equal(pauses.length, 1, 'one container with no monitor: the pause');
  const pausePid = pauses[0]?.pid;
  assert.ok(pausePid !== undefined && (await readProcStat(pausePid))?.comm === 'catatonit', 'the pause process is catatonit');
  process.kill(pausePid, 'SIGKILL');
  const after = await runningPod(
    p,
    'the pod to run again in a new sandbox',
    (pod) => containerStatus(pod, 'steady')?.restartCount === 1 && containerStatus(pod, 'crasher')?.restartCount === 1,
  );
  assert.notEqual(idOf(after, 'steady'), idOf(before, 'steady'));
  const events = await runCli(p.env, ['describe', 'pod', POD]);
  assert.match(events.stdout, /SandboxChanged/);
  await deleteAndCheck(p);
});

test('runc killed while it creates a container: the failure is reported, retried, and nothing is left behind', { timeout: 180_000 }, async (t) => {
  const realRunc = await which('runc');
  assert.ok(realRunc, 'runc is installed');
  const roots = await makeTestRoots();
  t.after(() => roots.cleanup());
  // A runc that is SIGKILLed a moment into its first `create`: whatever it made so far stays behind.
  const wrapper = join(roots.dir, 'runc-killed-once');
  const marker = join(roots.dir, 'killed');
  await writeFile(
    wrapper,
    `#!/bin/sh
case " $* " in *" create "*) if [ ! -e ${marker} ]; then touch ${marker}; ${realRunc} "$@" & pid=$!; sleep 0.03; kill -9 $pid; exit 137; fi;; esac
exec ${realRunc} "$@"
`,
  );
  await chmod(wrapper, 0o755);
  const config = { ...roots.config, runtimePath: wrapper };
  const env = { ...roots.env(), PEAPOD_RUNTIME: wrapper };
  const daemon = await startDaemon({ ...roots, config, env: () => env });
  try {
    await loadBusybox(roots);
    await writeFile(join(roots.dir, 'crash.yaml'), MANIFEST);
    const applied = await runCli(env, ['apply', '-f', join(roots.dir, 'crash.yaml')]);
    assert.equal(applied.code, 0, applied.stderr);
    await waitFor(
      async () => {
        const r = await runCli(env, ['get', 'pod', POD, '-o', 'json']);
        return r.code === 0 && complete(JSON.parse(r.stdout) as PodView);
      },
      { timeoutMs: SETTLE_MS, intervalMs: 200, description: 'the pod to run after the killed create' },
    );
    assert.ok(await readFile(marker).then(() => true), 'the wrapper did kill a runc create');
    const described = await runCli(env, ['describe', 'pod', POD]);
    assert.match(described.stdout, /Failed|Error/, 'the failed create shows in the events');
    const r = await runCli(env, ['delete', 'pod', POD]);
    assert.equal(r.code, 0, r.stderr);
  } finally {
    await daemon.stop();
  }
  await assertNoLeaks(config);
});
