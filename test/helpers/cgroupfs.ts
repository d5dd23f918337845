// Where the cgroup hierarchies are mounted (every v1 controller, and the v2 unified tree), read from
// /proc/self/mountinfo so the helpers work on v1, hybrid and pure v2 hosts alike.
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { readMountInfo } from '../../src/host/mount.js';

export async function cgroupMountPoints(): Promise<string[]> {
  const mounts = await readMountInfo();
  const points = mounts.filter((m) => m.fsType === 'cgroup' || m.fsType === 'cgroup2').map((m) => m.target);
  return [...new Set(points)].sort();
}

/** Every directory strictly below `dir`, parents before children; [] when `dir` does not exist. */
export async function dirsBelow(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const child = join(dir, e.name);
    out.push(child, ...(await dirsBelow(child)));
  }
  return out;
}

/** PIDs in one cgroup directory (not its children); [] when it is gone. */
export async function cgroupProcs(dir: string): Promise<number[]> {
  try {
    return (await readFile(join(dir, 'cgroup.procs'), 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------------
// The one place tests read cgroup files: it knows both layouts (v1: one hierarchy per controller,
// file names like memory.limit_in_bytes; v2: one tree, memory.max), so a test asserts a limit once and
// runs on either. Deliberately independent of src/host/cgroups: it checks that code, not itself.

export const CGROUP_FS_ROOT = '/sys/fs/cgroup';
export type CgroupLayout = 'v1' | 'v2';
export type CgroupController = 'cpu' | 'memory' | 'pids';

/** v2 when /sys/fs/cgroup itself is the unified hierarchy (it has cgroup.controllers). */
export async function cgroupLayout(): Promise<CgroupLayout> {
  return (await readFile(join(CGROUP_FS_ROOT, 'cgroup.controllers'), 'utf8').then(
    () => true,
    () => false,
  ))
    ? 'v2'
    : 'v1';
}

/** The directory holding `controller`'s files for the cgroup path (like "/peapod/kubepods/pod1"). */
export async function cgroupDir(controller: CgroupController, cgroupPath: string): Promise<string> {
  return (await cgroupLayout()) === 'v2' ? join(CGROUP_FS_ROOT, cgroupPath) : join(CGROUP_FS_ROOT, controller, cgroupPath);
}

/** A process's cgroup path as the host sees it: the "0::" line on v2, the memory hierarchy's on v1. */
export async function cgroupOfPid(pid: number): Promise<string> {
  const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).split('\n');
  const v2 = (await cgroupLayout()) === 'v2';
  const line = lines.find((l) => (v2 ? l.startsWith('0::') : /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l)));
  if (line === undefined) throw new Error(`no ${v2 ? 'unified' : 'memory'} line in /proc/${pid}/cgroup`);
  return line.split(':').slice(2).join(':');
}

/** Limits as the kernel shows them, in one shape; undefined = unlimited or not set. */
export interface CgroupLimits {
  readonly layout: CgroupLayout;
  readonly memoryLimitBytes?: number;
  readonly cpuQuotaUs?: number;
  readonly cpuPeriodUs?: number;
  /** v1 only. */
  readonly cpuShares?: number;
  /** v2 only. */
  readonly cpuWeight?: number;
  readonly pidsLimit?: number;
  /** v2 only: memory.oom.group (1 = the whole cgroup is killed together). */
  readonly memoryOomGroup?: number;
  /** v2 only: memory.swap.max as written ("max", "0"), absent without swap accounting. */
  readonly memorySwapMax?: string;
}

const V1_MEMORY_UNLIMITED = 9223372036854771712n;

async function readTrimmed(dir: string, file: string): Promise<string | undefined> {
  return readFile(join(dir, file), 'utf8').then(
    (s) => s.trim(),
    () => undefined,
  );
}

function numberOrUnlimited(text: string | undefined): number | undefined {
  if (text === undefined || text === 'max' || !/^-?\d+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < 0n || value >= V1_MEMORY_UNLIMITED ? undefined : Number(value);
}

export async function readCgroupLimits(cgroupPath: string): Promise<CgroupLimits> {
  if ((await cgroupLayout()) === 'v2') {
    const dir = join(CGROUP_FS_ROOT, cgroupPath);
    const [memoryMax, cpuMax, weight, pidsMax, oomGroup, swapMax] = await Promise.all(
      ['memory.max', 'cpu.max', 'cpu.weight', 'pids.max', 'memory.oom.group', 'memory.swap.max'].map((f) => readTrimmed(dir, f)),
    );
    const [quota, period] = (cpuMax ?? '').split(/\s+/);
    return {
      layout: 'v2',
      ...defined({
        memoryLimitBytes: numberOrUnlimited(memoryMax),
        cpuQuotaUs: numberOrUnlimited(quota),
        cpuPeriodUs: numberOrUnlimited(period),
        cpuWeight: numberOrUnlimited(weight),
        pidsLimit: numberOrUnlimited(pidsMax),
        memoryOomGroup: numberOrUnlimited(oomGroup),
      }),
      ...(swapMax !== undefined ? { memorySwapMax: swapMax } : {}),
    };
  }
  const [memoryLimit, quota, period, shares, pidsMax] = await Promise.all([
    readTrimmed(join(CGROUP_FS_ROOT, 'memory', cgroupPath), 'memory.limit_in_bytes'),
    readTrimmed(join(CGROUP_FS_ROOT, 'cpu', cgroupPath), 'cpu.cfs_quota_us'),
    readTrimmed(join(CGROUP_FS_ROOT, 'cpu', cgroupPath), 'cpu.cfs_period_us'),
    readTrimmed(join(CGROUP_FS_ROOT, 'cpu', cgroupPath), 'cpu.shares'),
    readTrimmed(join(CGROUP_FS_ROOT, 'pids', cgroupPath), 'pids.max'),
  ]);
  return {
    layout: 'v1',
    ...defined({
      memoryLimitBytes: numberOrUnlimited(memoryLimit),
      cpuQuotaUs: numberOrUnlimited(quota),
      cpuPeriodUs: numberOrUnlimited(period),
      cpuShares: numberOrUnlimited(shares),
      pidsLimit: numberOrUnlimited(pidsMax),
    }),
  };
}

/**
 * The CPU weight the layout should show for v1 cpu.shares: the shares themselves on v1, the kubelet's
 * CpuSharesToCpuWeight on v2 (1 + (shares - 2) * 9999 / 262142, integer division). Written out here
 * rather than imported so a wrong formula in src/ cannot agree with itself.
 */
export function expectedCpuWeight(layout: CgroupLayout, shares: number): Pick<CgroupLimits, 'cpuShares' | 'cpuWeight'> {
  return layout === 'v1' ? { cpuShares: shares } : { cpuWeight: 1 + Math.floor(((shares - 2) * 9999) / 262142) };
}

/** The CPU weight part of read-back limits, to compare with expectedCpuWeight. */
export function cpuWeightOf(limits: CgroupLimits): Pick<CgroupLimits, 'cpuShares' | 'cpuWeight'> {
  return limits.layout === 'v1' ? { ...defined({ cpuShares: limits.cpuShares }) } : { ...defined({ cpuWeight: limits.cpuWeight }) };
}

/** The cgroup path of the cgroup named `name` somewhere below `parent` (bounded depth: pod cgroups sit 3–4 deep). */
export async function findCgroupBelow(parent: string, name: string, depth = 6): Promise<string> {
  const base = (await cgroupLayout()) === 'v2' ? CGROUP_FS_ROOT : join(CGROUP_FS_ROOT, 'memory');
  const top = join(base, parent);
  const found = (await dirsBelow(top)).find((d) => basename(d) === name && relative(top, d).split('/').length <= depth);
  if (found === undefined) throw new Error(`no cgroup ${name} below ${parent}`);
  return `/${relative(base, found)}`;
}

function defined<T extends Record<string, number | undefined>>(value: T): Partial<Record<keyof T, number>> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<Record<keyof T, number>>;
}
