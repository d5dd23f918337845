// CgroupManager for cgroup v1 (cgroupfs): one directory per cgroup in every controller hierarchy,
// the way runc's libcontainer/cgroups/fs manager lays them out.
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { fstatSync, openSync } from 'node:fs';
import { stat } from '../../common/quick-fs.js';
import { PeapodError, errorMessage, isErrnoException, notFound } from '../../common/errors.js';
import { settleAll } from '../../common/concurrency.js';
import type { CgroupManager, CgroupReadback, CgroupResources } from './types.js';
import { cgroupSegments, compact, flatKeyed, listCgroupPaths, parseIntOrUndefined, parsePids, readOptional, removeTree, writeValue } from './fs.js';
import type { CgroupFsOptions, RemoveDir } from './fs.js';
import { hierarchyFor, scanHierarchies } from './v1-hierarchies.js';
import type { HierarchyScan } from './v1-hierarchies.js';
import type { V1Controller, V1Hierarchy } from './v1-hierarchies.js';
import { v1Controllers } from './controllers.js';
import type { ControllerReport } from './controllers.js';

/**
 * memory.limit_in_bytes reads back as PAGE_COUNTER_MAX pages when unlimited: LONG_MAX rounded down to
 * a 4 KiB page, 9223372036854771712. Anything at or above it means "no limit".
 */
export const V1_MEMORY_UNLIMITED = 9223372036854771712n;
/** cfs_quota_us value meaning "no quota" (Documentation/scheduler/sched-bwc.rst). */
export const V1_QUOTA_UNLIMITED = -1;

/** How long the list of named and unified hierarchies is trusted while fsRoot itself looks unchanged. */
const OTHER_HIERARCHIES_RESCAN_MS = 10_000;

export class CgroupV1Manager implements CgroupManager {
  readonly version = 'v1' as const;
  private hierarchies: Promise<V1Hierarchy[]> | undefined;
  private others: { readonly at: number; readonly mtimeMs: number; readonly list: readonly string[] } | undefined;
  private rescan: Promise<HierarchyScan> | undefined;
  /**
   * Open for the manager's life (one per daemon; close-on-exec, so no child inherits it): see fsRootMtime.
   * Were /sys/fs/cgroup itself mounted again, it would watch the old one: the 10 s rescan bounds that.
   */
  private fsRootFd: number | undefined;
  private readonly removeDir: RemoveDir | undefined;

  constructor(
    private readonly fsRoot: string,
    options: CgroupFsOptions = {},
  ) {
    this.removeDir = options.removeDir;
  }

  controllers(): Promise<ControllerReport> {
    return v1Controllers(this.fsRoot);
  }

  /** v1 has no unified files; the container's limits are all in linux.resources. */
  containerUnified(): Promise<Readonly<Record<string, string>>> {
    return Promise.resolve({});
  }

  private all(): Promise<V1Hierarchy[]> {
    this.hierarchies ??= this.scan().then((scan) => [...scan.managed]);
    return this.hierarchies;
  }

  /** One pass over fsRoot; it also refreshes the other hierarchies' list. */
  private async scan(): Promise<HierarchyScan> {
    const mtimeMs = this.fsRootMtime();
    const at = Date.now();
    const scan = await scanHierarchies(this.fsRoot);
    this.others = { at, mtimeMs, list: scan.others };
    return scan;
  }

  /**
   * fsRoot's mtime, through a descriptor kept open: a path under /sys is looked up under sysfs's lock,
   * which the kernel holds for writing while network devices come and go (a veth per pod), so a stat of
   * the path stalled the event loop for milliseconds now and then (p99 5 ms with 100 pods started and
   * deleted, against 12 µs for fstat). 0 when fsRoot cannot be opened (the next call tries again).
   */
  private fsRootMtime(): number {
    try {
      this.fsRootFd ??= openSync(this.fsRoot, 'r');
      return fstatSync(this.fsRootFd).mtimeMs;
    } catch {
      return 0;
    }
  }

  /**
   * The named and unified hierarchies removal visits. Every removal scanned /sys/fs/cgroup for them (≈ 30
   * syscalls on the event loop, ≈ 4 ms a pod with 100 pods torn down): the list is kept while fsRoot's
   * mtime stays (mounting a hierarchy means making its directory there) and for 10 s at most (a
   * hierarchy mounted on a directory made earlier is found by the next scan).
   */
  private async otherHierarchies(): Promise<readonly string[]> {
    const cached = this.others;
    if (cached !== undefined && cached.mtimeMs === this.fsRootMtime() && Date.now() - cached.at < OTHER_HIERARCHIES_RESCAN_MS) return cached.list;
    // One scan for the removals that find the list stale together; one that fails is not kept.
    this.rescan ??= this.scan().finally(() => {
      this.rescan = undefined;
    });
    return this.rescan.then(
      (scan) => scan.others,
      () => [],
    );
  }

  private async dirFor(controller: V1Controller, path: string): Promise<string | undefined> {
    const h = hierarchyFor(await this.all(), controller);
    return h === undefined ? undefined : join(h.mount, ...cgroupSegments(path));
  }

  async create(path: string, resources?: CgroupResources): Promise<void> {
    const segments = cgroupSegments(path);
    // Every hierarchy side by side; in each, the leaf first and its parents only when missing (a pod's
    // parents, the QoS levels, exist already: one mkdir per hierarchy instead of one per level).
    // Settled all before a failure is reported: an undo must not race a mkdir still under way elsewhere.
    await settleAll(
      (await this.all()).map((h) =>
        makeLevels(h, segments.length).catch((err: unknown) => {
          throw new PeapodError('FailedPrecondition', `cannot create cgroup ${path} in the ${h.controllers.join(',')} hierarchy: ${errorMessage(err)}`, {
            cause: err,
          });
        }),
      ),
    );
    if (resources !== undefined) await this.update(path, resources);

    /** Makes the first `depth` levels of the path in `h`, deepest first; a level made new copies its parent's cpuset. */
    async function makeLevels(h: V1Hierarchy, depth: number): Promise<void> {
      if (depth === 0) return;
      const dir = join(h.mount, ...segments.slice(0, depth));
      let created: boolean;
      try {
        created = await mkdirOnce(dir);
      } catch (err) {
        if (!isErrnoException(err, 'ENOENT')) throw err;
        await makeLevels(h, depth - 1);
        created = await mkdirOnce(dir);
      }
      // A new cpuset cgroup starts with empty cpus/mems and no task may join it until they are set
      // (cgroup-v1/cpusets.rst); runc copies them from the parent level by level the same way.
      if (created && h.controllers.includes('cpuset')) await copyCpuset(join(dir, '..'), dir);
    }
  }

  /** Writes the whole description: an absent quota, memory or pids limit is written as unlimited. */
  async update(path: string, resources: CgroupResources): Promise<void> {
    const cpu = await this.dirFor('cpu', path);
    if (cpu !== undefined) {
      if (resources.cpuShares !== undefined) await writeValue(join(cpu, 'cpu.shares'), resources.cpuShares);
      await writeCfs(cpu, resources.cpuQuotaUs ?? V1_QUOTA_UNLIMITED, resources.cpuPeriodUs);
    }
    const memory = await this.dirFor('memory', path);
    if (memory !== undefined) await writeValue(join(memory, 'memory.limit_in_bytes'), resources.memoryLimitBytes ?? -1);
    const pids = await this.dirFor('pids', path);
    if (pids !== undefined) await writeValue(join(pids, 'pids.max'), resources.pidsLimit ?? 'max');
  }

  async remove(path: string): Promise<void> {
    const segments = cgroupSegments(path);
    const mounts = [...(await this.all()).map((h) => h.mount), ...(await this.otherHierarchies())];
    // Every hierarchy side by side, all settled before a failure is reported (as create).
    await settleAll(mounts.map((mount) => removeTree(join(mount, ...segments), this.removeDir)));
  }

  async exists(path: string): Promise<boolean> {
    const segments = cgroupSegments(path);
    for (const h of await this.all()) {
      if (await isDir(join(h.mount, ...segments))) return true;
    }
    return false;
  }

  async read(path: string): Promise<CgroupReadback> {
    if (!(await this.exists(path))) throw notFound(`cgroup ${path} does not exist in any v1 hierarchy under ${this.fsRoot}`);
    const file = async (controller: V1Controller, name: string): Promise<string | undefined> => {
      const dir = await this.dirFor(controller, path);
      return dir === undefined ? undefined : readOptional(join(dir, name));
    };
    const [shares, quota, period, limit, usage, pidsMax, pidsCurrent, oomControl, cpuUsage, memoryStat] = await Promise.all([
      file('cpu', 'cpu.shares'),
      file('cpu', 'cpu.cfs_quota_us'),
      file('cpu', 'cpu.cfs_period_us'),
      file('memory', 'memory.limit_in_bytes'),
      file('memory', 'memory.usage_in_bytes'),
      file('pids', 'pids.max'),
      file('pids', 'pids.current'),
      file('memory', 'memory.oom_control'),
      file('cpuacct', 'cpuacct.usage'),
      file('memory', 'memory.stat'),
    ]);
    const quotaUs = parseIntOrUndefined(quota);
    return {
      path,
      ...compact({
        cpuShares: parseIntOrUndefined(shares),
        cpuQuotaUs: quotaUs === undefined || quotaUs < 0 ? undefined : quotaUs,
        cpuPeriodUs: parseIntOrUndefined(period),
        memoryLimitBytes: parseMemoryLimit(limit),
        memoryUsageBytes: parseIntOrUndefined(usage),
        pidsLimit: pidsMax === 'max' ? undefined : parseIntOrUndefined(pidsMax),
        pidsCurrent: parseIntOrUndefined(pidsCurrent),
        // oom_kill appeared in memory.oom_control with Linux 4.13; older kernels only have under_oom.
        oomKills: flatKeyed(oomControl, 'oom_kill'),
        cpuUsageNanos: parseIntOrUndefined(cpuUsage),
        // total_* include the cgroup's descendants, as a pod cgroup's figures must.
        memoryInactiveFileBytes: flatKeyed(memoryStat, 'total_inactive_file'),
        memoryRssBytes: flatKeyed(memoryStat, 'total_rss'),
        pageFaults: flatKeyed(memoryStat, 'total_pgfault'),
        majorPageFaults: flatKeyed(memoryStat, 'total_pgmajfault'),
      }),
    };
  }

  async pids(path: string): Promise<number[]> {
    for (const controller of ['pids', 'memory', 'cpu'] as const) {
      const dir = await this.dirFor(controller, path);
      if (dir !== undefined) return parsePids(await readOptional(join(dir, 'cgroup.procs')));
    }
    return [];
  }

  async listTree(path: string): Promise<string[]> {
    const segments = cgroupSegments(path);
    const found = new Set<string>();
    for (const h of await this.all()) {
      for (const p of await listCgroupPaths(h.mount, join(h.mount, ...segments))) found.add(p);
    }
    return [...found].sort();
  }
}

async function mkdirOnce(dir: string): Promise<boolean> {
  try {
    await mkdir(dir);
    return true;
  } catch (err) {
    if (isErrnoException(err, 'EEXIST')) return false;
    throw err;
  }
}

async function isDir(dir: string): Promise<boolean> {
  return (await stat(dir).catch(() => undefined))?.isDirectory() === true;
}

/**
 * A new v1 cpuset cgroup starts empty (or, with the parent's cgroup.clone_children, with the parent's
 * values) and takes no process until both are set: the parent's are written, which is right either way, so
 * the new child's are not read first.
 */
async function copyCpuset(parent: string, child: string): Promise<void> {
  for (const name of ['cpuset.cpus', 'cpuset.mems']) {
    const value = await readOptional(join(parent, name));
    if (value !== undefined && value !== '') await writeValue(join(child, name), value);
  }
}

/**
 * The kernel checks quota against the period in force when each file is written: a quota valid only
 * with the new period fails with EINVAL if written first, so the period goes first, and if the period
 * itself is refused under the old quota the quota is written first instead (runc's fs/cpu.go does both).
 */
async function writeCfs(dir: string, quotaUs: number, periodUs: number | undefined): Promise<void> {
  const quotaFile = join(dir, 'cpu.cfs_quota_us');
  const periodFile = join(dir, 'cpu.cfs_period_us');
  if (periodUs === undefined) {
    await writeValue(quotaFile, quotaUs);
    return;
  }
  try {
    await writeValue(periodFile, periodUs);
  } catch (err) {
    if (!isErrnoException(err, 'EINVAL')) throw err;
    await writeValue(quotaFile, quotaUs);
    await writeValue(periodFile, periodUs);
    return;
  }
  await writeValue(quotaFile, quotaUs);
}

function parseMemoryLimit(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value >= V1_MEMORY_UNLIMITED ? undefined : Number(value);
}
