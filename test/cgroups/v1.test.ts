// The v1 manager on this host's real cgroupfs, as root, under a test-unique parent: limits land in the
// kernel's files, a process can join every level (cpuset copied), and remove leaves nothing behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CgroupV1Manager } from '../../src/host/cgroups/v1.js';
import { detectCgroupVersion } from '../../src/host/cgroups/index.js';
import { discoverV1Hierarchies } from '../../src/host/cgroups/v1-hierarchies.js';
import { removeCgroupTree } from '../helpers/roots.js';
import { CGROUP_FS_ROOT, cgroupDir, readCgroupLimits } from '../helpers/cgroupfs.js';

const FS_ROOT = CGROUP_FS_ROOT;
const canRun =
  process.getuid?.() === 0 &&
  (await detectCgroupVersion(FS_ROOT)) === 'v1' &&
  (await access(await cgroupDir('memory', '/')).then(
    () => true,
    () => false,
  ));

test('v1 manager on the real cgroupfs', { skip: canRun ? false : 'needs root and a cgroup v1 host' }, async (t) => {
  const parent = `/peapod-test-${randomBytes(4).toString('hex')}`;
  const path = `${parent}/kubepods/pod-x`;
  const m = new CgroupV1Manager(FS_ROOT);
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.after(async () => {
    sleeper.kill('SIGKILL');
    await removeCgroupTree(parent);
  });
  await once(sleeper, 'spawn');
  const pid = sleeper.pid;
  assert.ok(pid !== undefined);

  await m.create(path, { cpuShares: 512, cpuQuotaUs: 20_000, cpuPeriodUs: 100_000, memoryLimitBytes: 64 * 1024 * 1024, pidsLimit: 50 });
  assert.equal(await m.exists(path), true);
  const back = await m.read(path);
  assert.equal(back.cpuShares, 512);
  assert.equal(back.cpuQuotaUs, 20_000);
  assert.equal(back.cpuPeriodUs, 100_000);
  assert.equal(back.memoryLimitBytes, 64 * 1024 * 1024);
  assert.equal(back.pidsLimit, 50);
  assert.equal(back.pidsCurrent, 0);
  assert.equal(back.oomKills, 0);

  // Into every hierarchy, like runc's cgroupfs manager; cpuset would refuse with ENOSPC had cpus/mems not been copied.
  for (const h of await discoverV1Hierarchies(FS_ROOT)) {
    await writeFile(join(h.mount, path, 'cgroup.procs'), String(pid));
  }
  assert.deepEqual(await m.pids(path), [pid]);
  const inCgroup = await m.read(path);
  assert.equal(inCgroup.pidsCurrent, 1);
  assert.ok((inCgroup.memoryUsageBytes ?? 0) >= 0);

  // A shorter period with a larger quota (period written first), then everything unlimited.
  await m.update(path, { cpuShares: 1024, cpuQuotaUs: 150_000, cpuPeriodUs: 50_000, memoryLimitBytes: 32 * 1024 * 1024, pidsLimit: 10 });
  assert.deepEqual(await m.read(path).then((r) => [r.cpuShares, r.cpuQuotaUs, r.cpuPeriodUs, r.memoryLimitBytes, r.pidsLimit]), [
    1024,
    150_000,
    50_000,
    32 * 1024 * 1024,
    10,
  ]);
  await m.update(path, { cpuShares: 2 });
  const unlimited = await m.read(path);
  assert.equal(unlimited.cpuQuotaUs, undefined);
  assert.equal(unlimited.memoryLimitBytes, undefined, 'the kernel shows 9223372036854771712');
  assert.equal(unlimited.pidsLimit, undefined);
  assert.equal((await readCgroupLimits(path)).memoryLimitBytes, undefined, "the kernel's own unlimited value, read independently");

  assert.deepEqual(await m.listTree(parent), [parent, `${parent}/kubepods`, path]);
  sleeper.kill('SIGKILL');
  await once(sleeper, 'exit');
  await m.remove(parent);
  assert.deepEqual(await m.listTree(parent), []);
  assert.equal(await m.exists(parent), false);
  await m.remove(parent);
});
