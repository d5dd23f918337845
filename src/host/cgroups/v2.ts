// CgroupManager for the cgroup v2 unified hierarchy: one tree, controllers switched on for the children
// of each level through cgroup.subtree_control (Documentation/admin-guide/cgroup-v2.rst).
import { join } from 'node:path';
import { mkdir, stat } from 'node:fs/promises';
import { PeapodError, errorMessage, isErrnoException, notFound } from '../../common/errors.js';
import type { CgroupManager, CgroupReadback, CgroupResources } from './types.js';
import { cgroupSegments, compact, flatKeyed, listCgroupPaths, parseIntOrUndefined, parsePids, readOptional, removeTree, writeValue } from './fs.js';
import type { CgroupFsOptions, RemoveDir } from './fs.js';

/** Controllers peapod enables for its cgroups. */
export const V2_CONTROLLERS = ['cpu', 'memory', 'pids'] as const;
/** The kernel's default CFS period, used when a quota comes without one. */
export const V2_DEFAULT_PERIOD_US = 100_000;

/**
 * cpu.shares → cpu.weight as runc 1.1 converts it (libcontainer/cgroups/utils.go ConvertCPUSharesToCgroupV2Value):
 * the v1 range [2, 262144] maps linearly onto v2's [1, 10000]; 0 means "not set".
 */
export function sharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

export class CgroupV2Manager implements CgroupManager {
  readonly version = 'v2' as const;
  private readonly removeDir: RemoveDir | undefined;

  constructor(
    private readonly fsRoot: string,
    options: CgroupFsOptions = {},
  ) {
    this.removeDir = options.removeDir;
  }

  private dir(path: string): string {
    return join(this.fsRoot, ...cgroupSegments(path));
  }

  async create(path: string, resources?: CgroupResources): Promise<void> {
    let dir = this.fsRoot;
    for (const segment of cgroupSegments(path)) {
      await enableControllers(dir);
      dir = join(dir, segment);
      await mkdir(dir).catch((err: unknown) => {
        if (!isErrnoException(err, 'EEXIST')) throw new PeapodError('FailedPrecondition', `cannot create cgroup ${path}: ${errorMessage(err)}`, { cause: err });
      });
    }
    if (resources !== undefined) await this.update(path, resources);
  }

  /** Writes the whole description: an absent quota, memory or pids limit is written as unlimited. */
  async update(path: string, resources: CgroupResources): Promise<void> {
    const dir = this.dir(path);
    if (resources.cpuShares !== undefined && resources.cpuShares > 0) {
      await writeValue(join(dir, 'cpu.weight'), sharesToWeight(resources.cpuShares));
    }
    const quota = resources.cpuQuotaUs === undefined || resources.cpuQuotaUs < 0 ? 'max' : String(resources.cpuQuotaUs);
    await writeValue(join(dir, 'cpu.max'), `${quota} ${resources.cpuPeriodUs ?? V2_DEFAULT_PERIOD_US}`);
    await writeValue(join(dir, 'memory.max'), resources.memoryLimitBytes ?? 'max');
    await writeValue(join(dir, 'pids.max'), resources.pidsLimit ?? 'max');
  }

  async remove(path: string): Promise<void> {
    await removeTree(this.dir(path), this.removeDir);
  }

  async exists(path: string): Promise<boolean> {
    return (await stat(this.dir(path)).catch(() => undefined))?.isDirectory() === true;
  }

  async read(path: string): Promise<CgroupReadback> {
    if (!(await this.exists(path))) throw notFound(`cgroup ${path} does not exist under ${this.fsRoot}`);
    const dir = this.dir(path);
    const [weight, cpuMax, memoryMax, memoryCurrent, pidsMax, pidsCurrent, events, cpuStat, memoryStat] = await Promise.all(
      ['cpu.weight', 'cpu.max', 'memory.max', 'memory.current', 'pids.max', 'pids.current', 'memory.events', 'cpu.stat', 'memory.stat'].map((f) => readOptional(join(dir, f))),
    );
    const usageUsec = flatKeyed(cpuStat, 'usage_usec');
    const [quota, period] = (cpuMax ?? '').split(/\s+/);
    return {
      path,
      ...compact({
        cpuWeight: parseIntOrUndefined(weight),
        cpuQuotaUs: quota === 'max' ? undefined : parseIntOrUndefined(quota),
        cpuPeriodUs: parseIntOrUndefined(period),
        memoryLimitBytes: memoryMax === 'max' ? undefined : parseIntOrUndefined(memoryMax),
        memoryUsageBytes: parseIntOrUndefined(memoryCurrent),
        pidsLimit: pidsMax === 'max' ? undefined : parseIntOrUndefined(pidsMax),
        pidsCurrent: parseIntOrUndefined(pidsCurrent),
        oomKills: flatKeyed(events, 'oom_kill'),
        cpuUsageNanos: usageUsec === undefined ? undefined : usageUsec * 1000,
        memoryInactiveFileBytes: flatKeyed(memoryStat, 'inactive_file'),
        memoryRssBytes: flatKeyed(memoryStat, 'anon'),
        pageFaults: flatKeyed(memoryStat, 'pgfault'),
        majorPageFaults: flatKeyed(memoryStat, 'pgmajfault'),
      }),
    };
  }

  async pids(path: string): Promise<number[]> {
    return parsePids(await readOptional(join(this.dir(path), 'cgroup.procs')));
  }

  async listTree(path: string): Promise<string[]> {
    return (await listCgroupPaths(this.fsRoot, this.dir(path))).sort();
  }
}

/** Enables peapod's controllers for the children of `dir`, only those the level offers and not yet on. */
async function enableControllers(dir: string): Promise<void> {
  const available = ((await readOptional(join(dir, 'cgroup.controllers'))) ?? '').split(/\s+/);
  const enabled = ((await readOptional(join(dir, 'cgroup.subtree_control'))) ?? '').split(/\s+/);
  const wanted = V2_CONTROLLERS.filter((c) => available.includes(c) && !enabled.includes(c));
  if (wanted.length === 0) return;
  // One write per controller: the kernel applies a multi-token write all-or-nothing, and one
  // controller refused (e.g. cpu with realtime tasks in the root) must not block the others.
  for (const c of wanted) {
    await writeValue(join(dir, 'cgroup.subtree_control'), `+${c}`).catch(() => undefined);
  }
}
