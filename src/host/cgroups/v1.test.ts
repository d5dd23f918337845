import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdir, mkdtemp, readdir, readFile, rm, rmdir, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CgroupV1Manager, V1_MEMORY_UNLIMITED } from './v1.js';
import { controllersOf, discoverV1Hierarchies } from './v1-hierarchies.js';
import { createCgroupManager } from './index.js';
import { REMOVE_BUSY_BACKOFF_MS, REMOVE_BUSY_RETRIES } from './fs.js';

/** rmdir for a fake tree: plain directories keep their "pseudo-files", so delete those first. */
async function fakeRemoveDir(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) if (e.isFile()) await unlink(join(dir, e.name));
  await rmdir(dir);
}

/** A v1 layout like this host's: separate hierarchies, plus a joined cpu,cpuacct variant and name=systemd. */
async function fakeV1(t: { after(fn: () => Promise<void>): void }, joined: boolean): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'peapod-cg1-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dirs = joined
    ? ['cpu,cpuacct', 'cpuset', 'memory', 'pids', 'freezer', 'devices', 'blkio', 'systemd', 'unified']
    : ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'freezer', 'devices', 'blkio', 'systemd', 'unified'];
  for (const d of dirs) {
    await mkdir(join(root, d));
    await writeFile(join(root, d, 'cgroup.procs'), '');
  }
  if (joined) {
    await symlink('cpu,cpuacct', join(root, 'cpu'));
    await symlink('cpu,cpuacct', join(root, 'cpuacct'));
  }
  await writeFile(join(root, 'cpuset', 'cpuset.cpus'), '0-1\n');
  await writeFile(join(root, 'cpuset', 'cpuset.mems'), '0\n');
  return root;
}

const read = (file: string): Promise<string> => readFile(file, 'utf8');
const isDir = async (dir: string): Promise<boolean> => (await stat(dir).catch(() => undefined))?.isDirectory() === true;

test('controllersOf skips named and unified hierarchies', () => {
  assert.deepEqual(controllersOf('cpu,cpuacct'), ['cpu', 'cpuacct']);
  assert.deepEqual(controllersOf('name=systemd'), []);
  assert.deepEqual(controllersOf('systemd'), []);
  assert.deepEqual(controllersOf('unified'), []);
});

test('discovery dedupes a joined cpu,cpuacct mount reached through symlinks', async (t) => {
  const root = await fakeV1(t, true);
  const hs = await discoverV1Hierarchies(root);
  assert.equal(hs.length, 7);
  assert.deepEqual(hs.find((h) => h.controllers.includes('cpu'))?.controllers, ['cpu', 'cpuacct']);
  assert.equal((await createCgroupManager(root)).version, 'v1');
});

test('a plain directory with a controller name is not a hierarchy (the tmpfs takes any mkdir)', async (t) => {
  const root = await fakeV1(t, false);
  await mkdir(join(root, 'cpu,cpuacct', 'stray'), { recursive: true });
  const hs = await discoverV1Hierarchies(root);
  assert.deepEqual(hs.find((h) => h.controllers.includes('cpuacct'))?.mount, join(root, 'cpuacct'));
  assert.ok(!hs.some((h) => h.mount.endsWith('cpu,cpuacct')));
});

test('create makes every level in every hierarchy, copies cpuset, writes limits; read maps them back', async (t) => {
  const root = await fakeV1(t, false);
  const m = new CgroupV1Manager(root, { removeDir: fakeRemoveDir });
  await m.create('/peapod/kubepods/pod1', { cpuShares: 512, cpuQuotaUs: 50_000, cpuPeriodUs: 100_000, memoryLimitBytes: 64 << 20, pidsLimit: 100 });
  for (const c of ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'freezer', 'devices', 'blkio']) {
    assert.ok(await isDir(join(root, c, 'peapod/kubepods/pod1')), c);
  }
  assert.equal(await isDir(join(root, 'systemd', 'peapod')), false, 'name=systemd is not ours');
  for (const level of ['peapod', 'peapod/kubepods', 'peapod/kubepods/pod1']) {
    assert.equal(await read(join(root, 'cpuset', level, 'cpuset.cpus')), '0-1');
    assert.equal(await read(join(root, 'cpuset', level, 'cpuset.mems')), '0');
  }
  const dir = (c: string): string => join(root, c, 'peapod/kubepods/pod1');
  assert.equal(await read(join(dir('cpu'), 'cpu.shares')), '512');
  assert.equal(await read(join(dir('cpu'), 'cpu.cfs_quota_us')), '50000');
  assert.equal(await read(join(dir('cpu'), 'cpu.cfs_period_us')), '100000');
  assert.equal(await read(join(dir('memory'), 'memory.limit_in_bytes')), String(64 << 20));
  assert.equal(await read(join(dir('pids'), 'pids.max')), '100');

  await writeFile(join(dir('memory'), 'memory.usage_in_bytes'), '12345\n');
  await writeFile(join(dir('pids'), 'pids.current'), '3\n');
  await writeFile(join(dir('memory'), 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
  await writeFile(join(dir('pids'), 'cgroup.procs'), '10\n11\n');
  await writeFile(join(dir('cpuacct'), 'cpuacct.usage'), '987654321\n');
  await writeFile(
    join(dir('memory'), 'memory.stat'),
    'rss 1\ninactive_file 2\ntotal_rss 4096\ntotal_inactive_file 8192\ntotal_pgfault 30\ntotal_pgmajfault 3\n',
  );
  assert.deepEqual(await m.read('/peapod/kubepods/pod1'), {
    path: '/peapod/kubepods/pod1',
    cpuShares: 512,
    cpuQuotaUs: 50_000,
    cpuPeriodUs: 100_000,
    memoryLimitBytes: 64 << 20,
    memoryUsageBytes: 12345,
    pidsLimit: 100,
    pidsCurrent: 3,
    oomKills: 2,
    cpuUsageNanos: 987_654_321,
    memoryInactiveFileBytes: 8192,
    memoryRssBytes: 4096,
    pageFaults: 30,
    majorPageFaults: 3,
  });
  assert.deepEqual(await m.pids('/peapod/kubepods/pod1'), [10, 11]);
  assert.equal(await m.exists('/peapod/kubepods/pod1'), true);
  assert.equal(await m.exists('/peapod/nope'), false);
  await assert.rejects(m.read('/peapod/nope'), { code: 'NotFound' });
});

test("update writes unlimited for absent limits; read maps the kernel's unlimited values to undefined", async (t) => {
  const root = await fakeV1(t, true);
  const m = new CgroupV1Manager(root, { removeDir: fakeRemoveDir });
  await m.create('/x', { cpuShares: 2, cpuQuotaUs: 1000, cpuPeriodUs: 100_000, memoryLimitBytes: 1 << 20, pidsLimit: 5 });
  await m.update('/x', { cpuShares: 1024 });
  const dir = (c: string): string => join(root, c, 'x');
  assert.equal(await read(join(dir('cpu,cpuacct'), 'cpu.cfs_quota_us')), '-1');
  assert.equal(await read(join(dir('memory'), 'memory.limit_in_bytes')), '-1');
  assert.equal(await read(join(dir('pids'), 'pids.max')), 'max');
  // What the kernel shows after those writes.
  await writeFile(join(dir('memory'), 'memory.limit_in_bytes'), `${V1_MEMORY_UNLIMITED}\n`);
  const back = await m.read('/x');
  assert.equal(back.cpuShares, 1024);
  assert.equal(back.cpuQuotaUs, undefined);
  assert.equal(back.memoryLimitBytes, undefined);
  assert.equal(back.pidsLimit, undefined);
  assert.equal(back.oomKills, undefined, 'no memory.oom_control: unknown, not 0');
});

test('create without resources writes no limit files and is idempotent; cpuset values already set are kept', async (t) => {
  const root = await fakeV1(t, false);
  const m = new CgroupV1Manager(root);
  await m.create('/a/b');
  await writeFile(join(root, 'cpuset', 'a', 'b', 'cpuset.cpus'), '1');
  await m.create('/a/b');
  assert.equal(await read(join(root, 'cpuset', 'a', 'b', 'cpuset.cpus')), '1');
  assert.deepEqual((await readdir(join(root, 'cpu', 'a', 'b'))).sort(), []);
});

test('remove goes deepest first in every hierarchy, retries EBUSY, and succeeds on what is gone', async (t) => {
  const root = await fakeV1(t, false);
  const removed: string[] = [];
  let busy = 2;
  const m = new CgroupV1Manager(root, {
    removeDir: async (dir) => {
      if (dir.endsWith(join('memory', 'p', 'c1')) && busy > 0) {
        busy--;
        throw Object.assign(new Error('busy'), { code: 'EBUSY' });
      }
      removed.push(dir.slice(root.length));
      await fakeRemoveDir(dir);
    },
  });
  await m.create('/p/c1', { cpuShares: 2 });
  await m.create('/p/c2');
  assert.deepEqual(await m.listTree('/p'), ['/p', '/p/c1', '/p/c2']);
  await m.remove('/p');
  assert.equal(busy, 0, 'EBUSY was retried');
  const inCpu = removed.filter((d) => d.startsWith('/cpu/'));
  assert.equal(inCpu.at(-1), '/cpu/p', 'the parent goes last');
  assert.deepEqual(await m.listTree('/p'), []);
  assert.equal(await m.exists('/p'), false);
  await m.remove('/p');
});

test('remove gives up after the EBUSY retries, each hierarchy tried as often', async (t) => {
  const root = await fakeV1(t, false);
  const calls = new Map<string, number>();
  const firstAt = new Map<string, number>();
  const firstGaps: number[] = [];
  const m = new CgroupV1Manager(root, {
    removeDir: async (dir) => {
      await stat(dir); // ENOENT where the cgroup is not (the named and unified hierarchies here), as rmdir(2)
      calls.set(dir, (calls.get(dir) ?? 0) + 1);
      const now = performance.now();
      const first = firstAt.get(dir);
      if (first === undefined) firstAt.set(dir, now);
      else if (calls.get(dir) === 2) firstGaps.push(now - first);
      throw Object.assign(new Error('busy'), { code: 'EBUSY' });
    },
  });
  await m.create('/q');
  await assert.rejects(m.remove('/q'), { code: 'EBUSY' });
  // The 8 managed hierarchies, side by side.
  assert.equal(calls.size, 8);
  for (const [dir, n] of calls) assert.equal(n, REMOVE_BUSY_RETRIES + 1, dir);
  // The first retry waits the first backoff too, though the cgroup was listed in between.
  const gaps = firstGaps;
  assert.ok(gaps.length > 0 && gaps.every((g) => g >= REMOVE_BUSY_BACKOFF_MS - 1), `gaps ${gaps.join(', ')} ms`);
});

test('a leaf cgroup goes with one rmdir, without listing its control files', async (t) => {
  const root = await fakeV1(t, false);
  const m = new CgroupV1Manager(root, { removeDir: fakeRemoveDir });
  await m.create('/leaf');
  const tried: string[] = [];
  const counting = new CgroupV1Manager(root, {
    removeDir: async (dir) => {
      tried.push(dir);
      await fakeRemoveDir(dir);
    },
  });
  await counting.remove('/leaf');
  // One rmdir in each of the 8 managed and the 2 other hierarchies (there: ENOENT), none a second time.
  assert.equal(tried.length, 10);
  assert.equal(new Set(tried).size, 10);
  assert.equal(await m.exists('/leaf'), false);
});

test('an rmdir refused for a cgroup that is not there (EROFS: a read-only mount over its parent) is no error', async (t) => {
  const root = await fakeV1(t, false);
  const m = new CgroupV1Manager(root, {
    removeDir: () => Promise.reject(Object.assign(new Error('read-only'), { code: 'EROFS' })),
  });
  await m.remove('/never-made');
  const made = new CgroupV1Manager(root, {
    removeDir: () => Promise.reject(Object.assign(new Error('read-only'), { code: 'EROFS' })),
  });
  await made.create('/made');
  await assert.rejects(made.remove('/made'), { code: 'EROFS' }, 'one that is there still fails');
});

test("the named and unified hierarchies are scanned again once /sys/fs/cgroup's directory changes", async (t) => {
  const root = await fakeV1(t, false);
  const removed: string[] = [];
  const m = new CgroupV1Manager(root, {
    removeDir: async (dir) => {
      removed.push(dir.slice(root.length));
      await fakeRemoveDir(dir).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      });
    },
  });
  await m.remove('/r');
  assert.ok(removed.includes('/systemd/r') && !removed.includes('/extra/r'));
  // A named hierarchy mounted later: its directory is made in fsRoot (its mtime moves).
  await new Promise((r) => setTimeout(r, 20));
  await mkdir(join(root, 'extra'));
  await writeFile(join(root, 'extra', 'cgroup.procs'), '');
  removed.length = 0;
  await m.remove('/r');
  assert.ok(removed.includes('/extra/r'), 'the new hierarchy is visited');
});

test('period is written before quota; if the period is refused the quota goes first', async (t) => {
  const root = await fakeV1(t, false);
  const order: string[] = [];
  const m = new CgroupV1Manager(root);
  await m.create('/o');
  const dir = join(root, 'cpu', 'o');
  // A directory named like the file makes the first period write fail (EISDIR, not EINVAL): thrown.
  await mkdir(join(dir, 'cpu.cfs_period_us'));
  await assert.rejects(m.update('/o', { cpuQuotaUs: 1000, cpuPeriodUs: 10_000 }));
  await rmdir(join(dir, 'cpu.cfs_period_us'));
  await m.update('/o', { cpuQuotaUs: 1000, cpuPeriodUs: 10_000 });
  order.push(await read(join(dir, 'cpu.cfs_period_us')), await read(join(dir, 'cpu.cfs_quota_us')));
  assert.deepEqual(order, ['10000', '1000']);
});

test('paths must be absolute and free of dot segments', async (t) => {
  const root = await fakeV1(t, false);
  const m = new CgroupV1Manager(root);
  await assert.rejects(m.create('relative'), { code: 'InvalidArgument' });
  await assert.rejects(m.create('/a/../../etc'), { code: 'InvalidArgument' });
});

test('v1 controllers: a required controller without a hierarchy is named with the missing mount', async (t) => {
  const root = await fakeV1(t, true);
  const m = new CgroupV1Manager(root, { removeDir: fakeRemoveDir });
  assert.deepEqual((await m.controllers()).missing, []);
  await rm(join(root, 'pids'), { recursive: true });
  const report = await m.controllers();
  assert.deepEqual(report.missing, [{ controller: 'pids', file: join(root, 'pids') }]);
  assert.ok(report.available.includes('memory') && !report.available.includes('pids'));
  assert.deepEqual(await m.containerUnified(), {});
});
