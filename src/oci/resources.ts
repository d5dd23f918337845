// The kubelet's resource arithmetic, so a pod here gets the same cgroup values as under a kubelet:
// pkg/kubelet/cm/helpers_linux.go (shares, quota, ResourceConfigForPod), pkg/kubelet/kuberuntime/
// kuberuntime_container_linux.go (calculateLinuxResources) and pkg/kubelet/qos/policy.go (OOM scores).
import type { LinuxResources } from './types.js';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** cpu.shares floor: the kernel's minimum (helpers_linux.go MinShares). */
export const MIN_SHARES = 2;
/** cpu.shares ceiling (helpers_linux.go MaxShares). */
export const MAX_SHARES = 262_144;
export const SHARES_PER_CPU = 1024;
export const MILLI_CPU_TO_CPU = 1000;
/** The CFS period the kubelet uses unless --cpu-cfs-quota-period says otherwise: 100 ms. */
export const QUOTA_PERIOD_US = 100_000;
/** The smallest quota the kernel accepts: 1 ms (helpers_linux.go MinQuotaPeriod). */
export const MIN_QUOTA_PERIOD_US = 1000;

/** policy.go: the pause container is protected almost as much as the kubelet (-999). */
export const SANDBOX_OOM_SCORE_ADJ = -998;
/** policy.go guaranteedOOMScoreAdj. */
export const GUARANTEED_OOM_SCORE_ADJ = -997;
/** policy.go besteffortOOMScoreAdj: first to go. */
export const BESTEFFORT_OOM_SCORE_ADJ = 1000;
/** Burstable floor: above what a Guaranteed container using all memory would score (1000 + -997 = 3). */
export const BURSTABLE_MIN_OOM_SCORE_ADJ = 1000 + GUARANTEED_OOM_SCORE_ADJ;

/** MilliCPUToShares: 0 → MIN_SHARES; otherwise milli*1024/1000 (integer division), clamped. */
export function milliCPUToShares(milliCPU: number): number {
  if (milliCPU === 0) return MIN_SHARES;
  const shares = Math.floor((milliCPU * SHARES_PER_CPU) / MILLI_CPU_TO_CPU);
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares));
}

/** MilliCPUToQuota: 0 → 0 (no quota); otherwise milli*period/1000, at least MIN_QUOTA_PERIOD_US. */
export function milliCPUToQuota(milliCPU: number, periodUs: number = QUOTA_PERIOD_US): number {
  if (milliCPU === 0) return 0;
  const quota = Math.floor((milliCPU * periodUs) / MILLI_CPU_TO_CPU);
  return Math.max(MIN_QUOTA_PERIOD_US, quota);
}

export interface ContainerResourceInput {
  readonly cpuRequestMilli?: number;
  readonly cpuLimitMilli?: number;
  readonly memoryLimitBytes?: number;
}

/**
 * calculateLinuxResources: shares from the request (or from the limit when only a limit is set),
 * quota/period from the limit, memory from the limit. No pids limit: the kubelet sets that per pod.
 */
export function containerResources(input: ContainerResourceInput): LinuxResources {
  const request = input.cpuRequestMilli ?? 0;
  const limit = input.cpuLimitMilli ?? 0;
  const cpuShares = milliCPUToShares(request === 0 && limit !== 0 ? limit : request);
  const quota = milliCPUToQuota(limit, QUOTA_PERIOD_US);
  return {
    cpuShares,
    ...(quota > 0 ? { cpuQuotaUs: quota, cpuPeriodUs: QUOTA_PERIOD_US } : {}),
    ...(input.memoryLimitBytes !== undefined && input.memoryLimitBytes > 0 ? { memoryLimitBytes: input.memoryLimitBytes } : {}),
  };
}

export interface PodResourceTotals {
  readonly cpuRequestMilli: number;
  /** undefined when some container has no CPU limit. */
  readonly cpuLimitMilli: number | undefined;
  readonly memoryRequestBytes: number;
  /** undefined when some container has no memory limit. */
  readonly memoryLimitBytes: number | undefined;
}

/**
 * ResourceConfigForPod: Guaranteed pods get shares, quota and memory; Burstable pods get shares and
 * whichever limits every container declares; BestEffort pods get MIN_SHARES only.
 */
export function podResources(totals: PodResourceTotals, qos: QosClass): LinuxResources {
  if (qos === 'BestEffort') return { cpuShares: MIN_SHARES };
  const cpuShares = milliCPUToShares(totals.cpuRequestMilli);
  const quota = totals.cpuLimitMilli === undefined ? 0 : milliCPUToQuota(totals.cpuLimitMilli, QUOTA_PERIOD_US);
  const memory = totals.memoryLimitBytes;
  return {
    cpuShares,
    ...(quota > 0 ? { cpuQuotaUs: quota, cpuPeriodUs: QUOTA_PERIOD_US } : {}),
    ...(memory !== undefined && memory > 0 ? { memoryLimitBytes: memory } : {}),
  };
}

/** The pod cgroup below the QoS parents (pkg/kubelet/cm/pod_container_manager_linux.go GetPodContainerName). */
export function podCgroupName(qos: QosClass, uid: string): string {
  switch (qos) {
    case 'Guaranteed':
      return `kubepods/pod${uid}`;
    case 'Burstable':
      return `kubepods/burstable/pod${uid}`;
    case 'BestEffort':
      return `kubepods/besteffort/pod${uid}`;
  }
}

/**
 * GetContainerOOMScoreAdjust: Guaranteed -997, BestEffort 1000, Burstable 1000 - 1000*request/capacity
 * (integer division) kept in [3, 999] so it stays between the other two classes.
 */
export function oomScoreAdjFor(qos: QosClass, memoryRequestBytes: number, memoryCapacityBytes: number): number {
  if (qos === 'Guaranteed') return GUARANTEED_OOM_SCORE_ADJ;
  if (qos === 'BestEffort') return BESTEFFORT_OOM_SCORE_ADJ;
  if (memoryCapacityBytes <= 0) return BESTEFFORT_OOM_SCORE_ADJ - 1;
  // BigInt: 1000 × a multi-terabyte request would pass 2^53, where Go's int64 still divides exactly.
  const adj = Number(1000n - (1000n * BigInt(Math.floor(memoryRequestBytes))) / BigInt(Math.floor(memoryCapacityBytes)));
  if (adj < BURSTABLE_MIN_OOM_SCORE_ADJ) return BURSTABLE_MIN_OOM_SCORE_ADJ;
  if (adj === BESTEFFORT_OOM_SCORE_ADJ) return adj - 1;
  return adj;
}

/**
 * Where the daemon runs confined (these VMs: a container whose processes cannot go below the daemon's
 * own oom_score_adj, as without CAP_SYS_RESOURCE the kernel refuses values under oom_score_adj_min),
 * asking runc for less fails the container start, so the wanted score is raised to that floor.
 */
export function clampOomScoreAdj(wanted: number, floor: number): number {
  return Math.max(wanted, floor);
}
