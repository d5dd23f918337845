// CgroupManager for the cgroup v2 unified hierarchy: one tree, controllers switched on for the children
// of each level through cgroup.subtree_control (Documentation/admin-guide/cgroup-v2.rst).
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { stat } from '../../common/quick-fs.js';
import { PeapodError, errorMessage, failedPrecondition, isErrnoException, notFound } from '../../common/errors.js';
import { REQUIRED_CONTROLLERS, v2Controllers } from './controllers.js';
import type { ControllerReport } from './controllers.js';
import type { CgroupManager, CgroupReadback, CgroupResources } from './types.js';
import { cgroupSegments, compact, flatKeyed, listCgroupPaths, parseIntOrUndefined, parsePids, readOptional, removeTree, writeValue } from './fs.js';
import type { CgroupFsOptions, RemoveDir } from './fs.js';

/** Controllers peapod enables down its tree when the level offers them (libcontainer's fs2 enables every one). */
export const V2_CONTROLLERS = ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'] as const;
/** The kernel's default CFS period, used when a quota comes without one. */
export const V2_DEFAULT_PERIOD_US = 100_000;

/**
 * cpu.shares → cpu.weight by the kubelet's formula (pkg/kubelet/cm/cgroup_manager_linux.go
 * CpuSharesToCpuWeight, the same as runc 1.1's ConvertCPUSharesToCgroupV2Value, so a pod cgroup written
 * here and a container cgroup written by runc agree): the v1 range [2, 262144] maps linearly onto v2's
 * [1, 10000]; 0 means "not set".
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

  controllers(): Promise<ControllerReport> {
    return v2Controllers(this.fsRoot);
  }

  /** The kubelet (kuberuntime_container_linux.go) on v2: the whole container is the OOM unit, and no swap (NoSwap). */
  async containerUnified(parent: string): Promise<Readonly<Record<string, string>>> {
    const swapAccounted = (await readOptional(join(this.dir(parent), 'memory.swap.max'))) !== undefined;
    return { 'memory.oom.group': '1', ...(swapAccounted ? { 'memory.swap.max': '0' } : {}) };
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
      ['cpu.weight', 'cpu.max', 'memory.max', 'memory.current', 'pids.max', 'pids.current', 'memory.events', 'cpu.stat', 'memory.stat'].map((f) =>
        readOptional(join(dir, f)),
      ),
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

/**
 * Enables the controllers for the children of `dir`, those the level offers and not yet on. A required
 * one (cpu, memory, pids) the level lacks or refuses is an error naming the file: without it the child
 * has no memory.max etc. and every write there would fail with EACCES/ENOENT.
 */
async function enableControllers(dir: string): Promise<void> {
  const controllersFile = join(dir, 'cgroup.controllers');
  const available = ((await readOptional(controllersFile)) ?? '').split(/\s+/);
  const enabled = ((await readOptional(join(dir, 'cgroup.subtree_control'))) ?? '').split(/\s+/);
  const lacking = REQUIRED_CONTROLLERS.filter((c) => !available.includes(c));
  if (lacking.length > 0)
    throw failedPrecondition(`cgroup v2: controller ${lacking.join(', ')} not available in ${controllersFile} ("${available.join(' ').trim()}")`);
  const wanted = V2_CONTROLLERS.filter((c) => available.includes(c) && !enabled.includes(c));
  // One write per controller: the kernel applies a multi-token write all-or-nothing, and an optional
  // controller refused (e.g. cpu with realtime tasks in the root) must not block the others.
  for (const c of wanted) {
    await writeValue(join(dir, 'cgroup.subtree_control'), `+${c}`).catch((err: unknown) => {
      if ((REQUIRED_CONTROLLERS as readonly string[]).includes(c)) {
        throw failedPrecondition(`cgroup v2: cannot enable controller ${c} in ${join(dir, 'cgroup.subtree_control')}: ${errorMessage(err)}`, { cause: err });
      }
    });
  }
}
