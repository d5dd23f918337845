import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdir, mkdtemp, readdir, readFile, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CgroupV2Manager, sharesToWeight } from './v2.js';
import { createCgroupManager } from './index.js';
import { controllerProblem } from './controllers.js';

async function fakeRemoveDir(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) if (e.isFile()) await unlink(join(dir, e.name));
  await rmdir(dir);
}

async function fakeV2(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'peapod-cg2-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await writeFile(join(root, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
  await writeFile(join(root, 'cgroup.subtree_control'), 'memory\n');
  return root;
}

const read = (file: string): Promise<string> => readFile(file, 'utf8');

/** The fake kernel's part: a level that exists offers cpu, memory and pids to its children. */
async function offer(root: string, ...levels: string[]): Promise<void> {
  for (const level of levels) {
    await mkdir(join(root, level), { recursive: true });
    await writeFile(join(root, level, 'cgroup.controllers'), 'cpu memory pids\n');
  }
}

test('sharesToWeight: runc 1.1 ConvertCPUSharesToCgroupV2Value', () => {
  // weight = 1 + ((shares - 2) * 9999) / 262142, integer division.
  assert.equal(sharesToWeight(2), 1);
  assert.equal(sharesToWeight(1024), 39);
  assert.equal(sharesToWeight(512), 20);
  assert.equal(sharesToWeight(102), 4);
  assert.equal(sharesToWeight(262144), 10000);
  assert.equal(sharesToWeight(0), 0);
});

test('v2 is detected by cgroup.controllers at the root', async (t) => {
  const root = await fakeV2(t);
  assert.equal((await createCgroupManager(root)).version, 'v2');
});

test('create enables cpu, memory and pids in each parent and writes the limits; read maps them back', async (t) => {
  const root = await fakeV2(t);
  const m = new CgroupV2Manager(root, { removeDir: fakeRemoveDir });
  // The fake kernel: each new level offers the controllers its parent enabled.
  await m.create('/peapod');
  await writeFile(join(root, 'peapod', 'cgroup.controllers'), 'cpu memory pids\n');
  await m.create('/peapod/pod1', { cpuShares: 1024, cpuQuotaUs: 25_000, cpuPeriodUs: 100_000, memoryLimitBytes: 1 << 26, pidsLimit: 64 });
  // One write per controller: a fake file keeps only the last one; memory was already on at the root.
  assert.equal(await read(join(root, 'cgroup.subtree_control')), '+pids');
  assert.equal(await read(join(root, 'peapod', 'cgroup.subtree_control')), '+pids');
  const dir = join(root, 'peapod', 'pod1');
  assert.equal(await read(join(dir, 'cpu.weight')), '39');
  assert.equal(await read(join(dir, 'cpu.max')), '25000 100000');
  assert.equal(await read(join(dir, 'memory.max')), String(1 << 26));
  assert.equal(await read(join(dir, 'pids.max')), '64');
  await writeFile(join(dir, 'memory.current'), '4096\n');
  await writeFile(join(dir, 'pids.current'), '2\n');
  await writeFile(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
  await writeFile(join(dir, 'cgroup.procs'), '42\n');
  await writeFile(join(dir, 'cpu.stat'), 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n');
  await writeFile(join(dir, 'memory.stat'), 'anon 2048\nfile 1024\ninactive_file 512\npgfault 7\npgmajfault 1\n');
  assert.deepEqual(await m.read('/peapod/pod1'), {
    path: '/peapod/pod1',
    cpuWeight: 39,
    cpuQuotaUs: 25_000,
    cpuPeriodUs: 100_000,
    memoryLimitBytes: 1 << 26,
    memoryUsageBytes: 4096,
    pidsLimit: 64,
    pidsCurrent: 2,
    oomKills: 1,
    cpuUsageNanos: 1_500_000,
    memoryInactiveFileBytes: 512,
    memoryRssBytes: 2048,
    pageFaults: 7,
    majorPageFaults: 1,
  });
  assert.deepEqual(await m.pids('/peapod/pod1'), [42]);
});

test('v2 update: unlimited values are "max"; read maps them to undefined', async (t) => {
  const root = await fakeV2(t);
  const m = new CgroupV2Manager(root, { removeDir: fakeRemoveDir });
  await m.create('/u', { cpuQuotaUs: 1000, memoryLimitBytes: 1 << 20, pidsLimit: 1 });
  await m.update('/u', {});
  assert.equal(await read(join(root, 'u', 'cpu.max')), 'max 100000');
  assert.equal(await read(join(root, 'u', 'memory.max')), 'max');
  const back = await m.read('/u');
  assert.deepEqual(back, { path: '/u', cpuPeriodUs: 100_000 });
});

test('v2 remove is deepest first and idempotent; listTree sees every level', async (t) => {
  const root = await fakeV2(t);
  const m = new CgroupV2Manager(root, { removeDir: fakeRemoveDir });
  await offer(root, 'r', 'r/a');
  await m.create('/r/a/b');
  await m.create('/r/c');
  assert.deepEqual(await m.listTree('/r'), ['/r', '/r/a', '/r/a/b', '/r/c']);
  await m.remove('/r');
  assert.deepEqual(await m.listTree('/r'), []);
  assert.equal(await m.exists('/r'), false);
  await m.remove('/r');
  await assert.rejects(m.read('/r'), { code: 'NotFound' });
});

test('v2 create refuses a level without a required controller, naming it and the file', async (t) => {
  const root = await fakeV2(t);
  await mkdir(join(root, 'p'));
  await writeFile(join(root, 'p', 'cgroup.controllers'), 'cpu io pids\n');
  const m = new CgroupV2Manager(root, { removeDir: fakeRemoveDir });
  await assert.rejects(m.create('/p/pod1'), (err: Error) => {
    assert.match(err.message, /controller memory not available in .*\/p\/cgroup\.controllers \("cpu io pids"\)/);
    return true;
  });
  assert.equal(controllerProblem(await m.controllers()), undefined);
  // The root's offer is what the daemon checks at start (memory bound to a v1 hierarchy elsewhere).
  await writeFile(join(root, 'cgroup.controllers'), 'cpuset cpu io pids\n');
  const report = await m.controllers();
  assert.deepEqual(report.missing, [{ controller: 'memory', file: join(root, 'cgroup.controllers') }]);
  assert.deepEqual(report.available, ['cpu', 'cpuset', 'io', 'pids']);
  assert.equal(
    controllerProblem(report),
    `cgroup v2: required controller missing: memory (not in ${join(root, 'cgroup.controllers')}); peapod needs cpu, memory, pids`,
  );
});

test('v2 containerUnified: memory.oom.group always, memory.swap.max 0 only with swap accounting', async (t) => {
  const root = await fakeV2(t);
  await offer(root, 'pod');
  const m = new CgroupV2Manager(root, { removeDir: fakeRemoveDir });
  assert.deepEqual(await m.containerUnified('/pod'), { 'memory.oom.group': '1' });
  await writeFile(join(root, 'pod', 'memory.swap.max'), 'max\n');
  assert.deepEqual(await m.containerUnified('/pod'), { 'memory.oom.group': '1', 'memory.swap.max': '0' });
});
