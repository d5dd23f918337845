// The v2 manager on a real cgroup2 filesystem (run in the cgroup v2 guest by scripts/test-v2.sh; skipped
// on a v1/hybrid host), as root, under a test-unique parent: controllers are enabled down the tree, limits
// land in the kernel's files and read back, a process can join, memory.events reports an OOM kill, a
// level that cannot pass a controller on is named, and remove leaves nothing behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CgroupV2Manager } from '../../src/host/cgroups/v2.js';
import { controllerProblem } from '../../src/host/cgroups/controllers.js';
import { CGROUP_FS_ROOT, cgroupLayout, cpuWeightOf, expectedCpuWeight, readCgroupLimits } from '../helpers/cgroupfs.js';
import { removeCgroupTree } from '../helpers/roots.js';
import { waitFor } from '../helpers/wait.js';

const canRun = process.getuid?.() === 0 && (await cgroupLayout()) === 'v2';
const skip = canRun ? false : 'needs root and a cgroup v2 host (scripts/test-v2.sh runs it in a v2 guest)';
const MiB = 1024 * 1024;

async function sleeperIn(t: { after(fn: () => Promise<void>): void }, cgroupDir: string, args: string[], waitJoined = true): Promise<number> {
  // The shell joins the cgroup first, then becomes the workload: nothing runs outside it.
  const child = spawn('sh', ['-c', `echo $$ > ${join(cgroupDir, 'cgroup.procs')} && exec "$@"`, 'sh', ...args], { stdio: 'ignore' });
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
  await once(child, 'spawn');
  const pid = child.pid;
  assert.ok(pid !== undefined);
  // 'spawn' comes before the shell has written itself into cgroup.procs: the tests' premise is that it has
  // (a workload that may be killed at once, the OOM hog, is not waited for: it may be gone before a look).
  if (waitJoined)
    await waitFor(async () => (await readFile(join(cgroupDir, 'cgroup.procs'), 'utf8')).split('\n').includes(String(pid)), {
      timeoutMs: 10_000,
      description: `pid ${pid} in ${cgroupDir}/cgroup.procs`,
    });
  return pid;
}

test('v2 manager on the real cgroupfs', { skip }, async (t) => {
  const parent = `/peapod-test-${randomBytes(4).toString('hex')}`;
  const path = `${parent}/kubepods/pod-x`;
  const m = new CgroupV2Manager(CGROUP_FS_ROOT);
  t.after(() => removeCgroupTree(parent));

  await m.create(path, { cpuShares: 512, cpuQuotaUs: 20_000, cpuPeriodUs: 100_000, memoryLimitBytes: 64 * MiB, pidsLimit: 50 });
  // Controllers on down the tree: the pod level has the files because its parents enabled them.
  for (const level of [parent, `${parent}/kubepods`]) {
    const enabled = (await readFile(join(CGROUP_FS_ROOT, level, 'cgroup.subtree_control'), 'utf8')).split(/\s+/);
    for (const c of ['cpu', 'memory', 'pids']) assert.ok(enabled.includes(c), `${c} enabled in ${level}: ${enabled.join(' ')}`);
  }
  const limits = await readCgroupLimits(path);
  assert.equal(limits.memoryLimitBytes, 64 * MiB);
  assert.equal(limits.cpuQuotaUs, 20_000);
  assert.equal(limits.cpuPeriodUs, 100_000);
  assert.equal(limits.pidsLimit, 50);
  assert.deepEqual(cpuWeightOf(limits), expectedCpuWeight('v2', 512));
  const back = await m.read(path);
  assert.deepEqual([back.cpuWeight, back.cpuQuotaUs, back.memoryLimitBytes, back.pidsLimit, back.pidsCurrent, back.oomKills], [20, 20_000, 64 * MiB, 50, 0, 0]);

  const pid = await sleeperIn(t, join(CGROUP_FS_ROOT, path), ['sleep', '600']);
  await waitFor(async () => (await m.pids(path)).includes(pid), { timeoutMs: 5000, description: 'the sleeper in the cgroup' });
  const inCgroup = await m.read(path);
  assert.equal(inCgroup.pidsCurrent, 1);
  assert.ok((inCgroup.memoryUsageBytes ?? 0) > 0, 'memory.current counts the sleeper');
  assert.ok((inCgroup.cpuUsageNanos ?? -1) >= 0, 'cpu.stat usage_usec');

  // A shorter period with a larger quota, then everything unlimited ("max").
  await m.update(path, { cpuShares: 1024, cpuQuotaUs: 150_000, cpuPeriodUs: 50_000, memoryLimitBytes: 32 * MiB, pidsLimit: 10 });
  const updated = await readCgroupLimits(path);
  assert.deepEqual(
    [updated.cpuWeight, updated.cpuQuotaUs, updated.cpuPeriodUs, updated.memoryLimitBytes, updated.pidsLimit],
    [39, 150_000, 50_000, 32 * MiB, 10],
  );
  await m.update(path, { cpuShares: 2 });
  const unlimited = await readCgroupLimits(path);
  assert.deepEqual([unlimited.cpuWeight, unlimited.cpuQuotaUs, unlimited.memoryLimitBytes, unlimited.pidsLimit], [1, undefined, undefined, undefined]);
  assert.equal((await readFile(join(CGROUP_FS_ROOT, path, 'memory.max'), 'utf8')).trim(), 'max');

  assert.deepEqual(await m.listTree(parent), [parent, `${parent}/kubepods`, path]);
  process.kill(pid, 'SIGKILL');
  await waitFor(async () => (await m.pids(path)).length === 0, { timeoutMs: 5000, description: 'the cgroup to empty' });
  await m.remove(parent);
  assert.deepEqual(await m.listTree(parent), []);
  assert.equal(await m.exists(parent), false);
  await m.remove(parent);
});

test('v2: an OOM kill shows in memory.events; the container files the kubelet sets are there', { skip }, async (t) => {
  const parent = `/peapod-test-${randomBytes(4).toString('hex')}`;
  const path = `${parent}/pod-oom`;
  const m = new CgroupV2Manager(CGROUP_FS_ROOT);
  t.after(() => removeCgroupTree(parent));
  await m.create(path, { memoryLimitBytes: 16 * MiB });
  const unified = await m.containerUnified(parent);
  assert.equal(unified['memory.oom.group'], '1');
  for (const [file, value] of Object.entries(unified)) await writeFile(join(CGROUP_FS_ROOT, path, file), value);
  // 64 MiB of anonymous memory under a 16 MiB limit, no swap allowed where swap is accounted.
  const hog = await sleeperIn(t, join(CGROUP_FS_ROOT, path), ['sh', '-c', 'x=$(head -c 67108864 /dev/zero | tr "\\0" a); sleep 600'], false);
  await waitFor(async () => ((await m.read(path)).oomKills ?? 0) > 0, { timeoutMs: 30_000, description: `an oom_kill in memory.events (hog pid ${hog})` });
  await waitFor(async () => (await m.pids(path)).length === 0, { timeoutMs: 10_000, description: 'memory.oom.group to kill the whole cgroup' });
});

test('v2: the required-controller check reads the real files; a level refusing a controller is named', { skip }, async (t) => {
  const parent = `/peapod-test-${randomBytes(4).toString('hex')}`;
  const m = new CgroupV2Manager(CGROUP_FS_ROOT);
  t.after(() => removeCgroupTree(parent));
  const ok = await m.controllers();
  assert.equal(controllerProblem(ok), undefined, JSON.stringify(ok));
  for (const c of ['cpu', 'memory', 'pids']) assert.ok(ok.available.includes(c));
  // A level with a process in it cannot pass controllers on (cgroup v2's no-internal-process rule):
  // create fails naming that level's subtree_control, instead of an EACCES on memory.max later.
  await m.create(`${parent}/busy`);
  await sleeperIn(t, join(CGROUP_FS_ROOT, parent, 'busy'), ['sleep', '600']);
  await assert.rejects(m.create(`${parent}/busy/kubepods`), /cannot enable controller (cpu|memory|pids) in .*\/busy\/cgroup\.subtree_control/);
});
