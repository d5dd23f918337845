// Which pods a ReplicaSet deletes first when it scales down (controller.ActivePodsWithRanks, as the
// ReplicaSet controller sorts them): not yet running before running (Pending < Unknown < Running),
// not ready before ready, a lower pod-deletion-cost first, ready for less time before longer, more
// container restarts before fewer, and newer before older.
import type { ControlledPod } from '../pods.js';

const PHASE_RANK: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };
const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const restarts = (p: ControlledPod): number => (p.pod.status.containerStatuses ?? []).reduce((n, s) => n + s.restartCount, 0);
const cost = (p: ControlledPod): number => Number(p.pod.metadata.annotations?.[DELETION_COST] ?? 0) || 0;
const created = (p: ControlledPod): number => Date.parse(p.pod.metadata.creationTimestamp ?? '') || 0;

/** Negative when `a` should be deleted before `b`. */
export function compareForDeletion(a: ControlledPod, b: ControlledPod): number {
  const phase = (PHASE_RANK[a.phase] ?? 0) - (PHASE_RANK[b.phase] ?? 0);
  if (phase !== 0) return phase;
  if (a.ready !== b.ready) return a.ready ? 1 : -1;
  if (cost(a) !== cost(b)) return cost(a) - cost(b);
  if (a.ready && b.ready) {
    const since = (b.readySince?.getTime() ?? 0) - (a.readySince?.getTime() ?? 0);
    if (since !== 0) return since;
  }
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  return created(b) - created(a);
}

/** The `count` pods to delete, in the order they are chosen. */
export function podsToDelete(pods: readonly ControlledPod[], count: number): ControlledPod[] {
  return [...pods].sort(compareForDeletion).slice(0, Math.max(0, count));
}
