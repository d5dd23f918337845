// Creating the pod cgroup fails (a read-only tmpfs mounted over the BestEffort QoS cgroup of the memory
// hierarchy (v1) or the unified tree (v2) makes mkdir fail with EROFS): the pod stays Pending naming the cgroup, nothing of a sandbox
// is left between attempts (not even the pod cgroup in the hierarchies where mkdir worked), and once
// the mount is gone the pod runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { runUnchecked } from '../../src/host/exec.js';
import { listMounts } from '../../src/host/mount.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { makeTestRoots } from '../helpers/roots.js';
import { cgroupDir } from '../helpers/cgroupfs.js';
import { applyManifest, busyboxPod, deletePods, getPod, waitDescribed, waitFootprint, waitRunning } from './common.js';

async function umount(target: string): Promise<void> {
  if ((await listMounts(target)).length === 0) return;
  const r = await runUnchecked('umount', [target], { timeoutMs: 10_000 });
  if (r.code !== 0) await runUnchecked('umount', ['-l', target], { timeoutMs: 10_000 });
}

test('pod cgroup creation failing: the pod stays Pending naming the cgroup, and runs once it can be created', { timeout: 240_000 }, async (t) => {
  const roots = await makeTestRoots();
  const env = roots.env();
  // v1: the memory hierarchy's copy of the QoS cgroup; v2: the one unified directory.
  const besteffort = await cgroupDir('memory', join(roots.config.cgroupRoot, 'kubepods', 'besteffort'));
  const started: { daemon?: TestDaemon } = {};
  t.after(async () => {
    await umount(besteffort);
    await started.daemon?.stop();
    await roots.cleanup();
  });
  const daemon = (started.daemon = await startDaemon(roots));
  await loadBusybox(roots);
  await access(besteffort); // the daemon made the QoS skeleton

  const mounted = await runUnchecked('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k,mode=0755', 'tmpfs', besteffort], { timeoutMs: 10_000 });
  assert.equal(mounted.code, 0, `mount a read-only tmpfs over ${besteffort}: ${mounted.stderr}`);

  await applyManifest(roots, env, 'nocgroup', busyboxPod('nocgroup'));
  const text = await waitDescribed(env, 'nocgroup', /FailedCreatePodSandBox/, 'the sandbox failure event');
  const event = text.split('\n').find((l) => l.includes('FailedCreatePodSandBox')) ?? '';
  t.diagnostic(event.trim());
  assert.ok(event.includes(`${roots.config.cgroupRoot}/kubepods/besteffort/pod`), `the event names the pod cgroup: ${event}`);
  assert.match(event, /read-only file system|EROFS/, `the event gives the reason: ${event}`);
  assert.equal((await getPod(env, 'nocgroup'))?.status?.phase, 'Pending');

  // Between attempts: no netns, lease, veth, sandbox record, runc state, nor the pod cgroup in the other hierarchies.
  await waitFootprint(roots.config, 0, 0, 'a moment between sandbox attempts with nothing of a sandbox on the host');

  await umount(besteffort);
  await waitRunning(env, 'nocgroup', 'the pod to run once its cgroup can be created');
  await deletePods(env, ['nocgroup']);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
