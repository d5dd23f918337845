// The cgroup contract: one interface, a v1 (cgroupfs, per-controller hierarchies) and a v2 (unified)
// implementation. Paths are cgroup paths like "/peapod/kubepods/burstable/pod<uid>", never filesystem paths.
import type { ControllerReport } from './controllers.js';

export interface CgroupResources {
  /** v1 cpu.shares (v2: converted to cpu.weight). */
  readonly cpuShares?: number;
  /** CFS quota in µs per period; -1 or undefined = unlimited. */
  readonly cpuQuotaUs?: number;
  readonly cpuPeriodUs?: number;
  /** Bytes; undefined = unlimited. */
  readonly memoryLimitBytes?: number;
  /** undefined = unlimited. */
  readonly pidsLimit?: number;
}

/** Values read back from the cgroup files, for `describe` and tests. */
export interface CgroupReadback {
  readonly path: string;
  readonly cpuShares?: number;
  readonly cpuWeight?: number;
  readonly cpuQuotaUs?: number;
  readonly cpuPeriodUs?: number;
  readonly memoryLimitBytes?: number;
  readonly memoryUsageBytes?: number;
  readonly pidsLimit?: number;
  readonly pidsCurrent?: number;
  /** Number of OOM kills in this cgroup (v1 memory.oom_control oom_kill, v2 memory.events oom_kill). */
  readonly oomKills?: number;
  /** CPU time used by the cgroup's tasks since it was made, in ns (v1 cpuacct.usage, v2 cpu.stat usage_usec). */
  readonly cpuUsageNanos?: number;
  /** Page cache the kernel can drop first: the kubelet's working set is usage minus this (memory.stat). */
  readonly memoryInactiveFileBytes?: number;
  /** Anonymous memory (v1 total_rss, v2 anon). */
  readonly memoryRssBytes?: number;
  readonly pageFaults?: number;
  readonly majorPageFaults?: number;
}

export interface CgroupManager {
  readonly version: 'v1' | 'v2';
  /** The controllers the host offers peapod's cgroups, and the required ones missing (with the file). */
  controllers(): Promise<ControllerReport>;
  /**
   * Extra cgroup files for a container's OCI spec (linux.resources.unified), as the kubelet sets them
   * on v2: memory.oom.group 1, and memory.swap.max 0 where the kernel has swap accounting. v1: none.
   */
  containerUnified(parent: string): Promise<Readonly<Record<string, string>>>;
  /** Creates the cgroup in every controller (v1) or the unified tree (v2), with parents; idempotent. */
  create(path: string, resources?: CgroupResources): Promise<void>;
  update(path: string, resources: CgroupResources): Promise<void>;
  /** Removes the cgroup and its children, deepest first; removing what is gone succeeds. */
  remove(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  read(path: string): Promise<CgroupReadback>;
  /** PIDs directly in the cgroup (v1: from the pids or memory controller). */
  pids(path: string): Promise<number[]>;
  /** Every cgroup directory at or below `path`, in all controllers: the leak checker's view. */
  listTree(path: string): Promise<string[]>;
}
