// RollingUpdate (pkg/controller/deployment/rolling.go) and proportional scaling (sync.go scale): the new
// ReplicaSet grows within replicas + maxSurge; old ones shrink only while replicas - maxUnavailable pods
// stay available, unhealthy old pods first; a change of replicas mid-rollout is spread over the active
// ReplicaSets in proportion to their size.
import type { Deployment, ReplicaSet } from '../../kube/kinds/apps.js';
import type { ControllerContext } from '../controller.js';
import { scaleReplicaSet } from './replica-sets.js';
import { MAX_REPLICAS, created, maxSurge, maxUnavailable, newRsReplicas, specReplicas, sum } from './util.js';

/** reconcileNewReplicaSet: true when it scaled the new ReplicaSet. */
export async function reconcileNew(ctx: ControllerContext, d: Deployment, all: readonly ReplicaSet[], newRs: ReplicaSet): Promise<boolean> {
  const replicas = d.spec.replicas ?? 1;
  const current = specReplicas(newRs);
  if (current === replicas) return false;
  const target = current > replicas ? replicas : newRsReplicas(d, all, newRs);
  if (target === current) return false;
  await scaleReplicaSet(ctx, d, newRs, target);
  return true;
}

/** reconcileOldReplicaSets: true when it scaled an old ReplicaSet down. */
export async function reconcileOld(ctx: ControllerContext, d: Deployment, olds: readonly ReplicaSet[], newRs: ReplicaSet | undefined): Promise<boolean> {
  if (sum(olds, (rs) => rs.spec.replicas) === 0) return false;
  const all = [...olds, ...(newRs ? [newRs] : [])];
  const minAvailable = (d.spec.replicas ?? 1) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRs) - (newRs?.status?.availableReplicas ?? 0);
  const maxScaledDown = sum(all, (rs) => rs.spec.replicas) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  // Unhealthy old pods first: removing them costs no availability.
  const oldestFirst = [...olds].sort((a, b) => created(a) - created(b));
  let cleaned = 0;
  const after: ReplicaSet[] = [];
  for (const rs of oldestFirst) {
    const unhealthy = specReplicas(rs) - (rs.status?.availableReplicas ?? 0);
    const down = Math.min(Math.max(0, unhealthy), maxScaledDown - cleaned);
    if (down > 0 && specReplicas(rs) > 0) {
      after.push(await scaleReplicaSet(ctx, d, rs, specReplicas(rs) - down));
      cleaned += down;
    } else after.push(rs);
  }
  // Then healthy ones, as far as availability above minAvailable allows.
  const available = sum([...after, newRs], (rs) => rs.status?.availableReplicas);
  let allowed = available - minAvailable;
  let scaled = cleaned;
  for (const rs of after) {
    if (allowed <= 0) break;
    const down = Math.min(specReplicas(rs), allowed);
    if (down <= 0) continue;
    await scaleReplicaSet(ctx, d, rs, specReplicas(rs) - down);
    allowed -= down;
    scaled += down;
  }
  return scaled > 0;
}

/** FindActiveOrLatest: the one ReplicaSet with replicas, or the newest when none has any; undefined when several do. */
function activeOrLatest(newRs: ReplicaSet | undefined, olds: readonly ReplicaSet[]): ReplicaSet | undefined {
  const active = [newRs, ...olds].filter((rs): rs is ReplicaSet => rs !== undefined && specReplicas(rs) > 0);
  if (active.length === 1) return active[0];
  if (active.length > 1) return undefined;
  return newRs ?? [...olds].sort((a, b) => created(b) - created(a))[0];
}

/** scale: applies a changed `replicas` to the ReplicaSets without starting a rollout. */
export async function scale(ctx: ControllerContext, d: Deployment, newRs: ReplicaSet | undefined, olds: readonly ReplicaSet[]): Promise<void> {
  const replicas = d.spec.replicas ?? 1;
  const single = activeOrLatest(newRs, olds);
  if (single) {
    await scaleReplicaSet(ctx, d, single, replicas);
    return;
  }
  const active = [newRs, ...olds].filter((rs): rs is ReplicaSet => rs !== undefined && specReplicas(rs) > 0);
  const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowed - sum(active, (rs) => rs.spec.replicas);
  if (toAdd === 0) return;
  // Bigger first; on a tie, newer first when growing and older first when shrinking.
  const order = [...active].sort((a, b) => specReplicas(b) - specReplicas(a) || (toAdd > 0 ? created(b) - created(a) : created(a) - created(b)));
  const sizes = new Map<ReplicaSet, number>();
  let added = 0;
  for (const rs of order) {
    const share = proportion(d, rs, toAdd, added);
    sizes.set(rs, specReplicas(rs) + share);
    added += share;
  }
  const first = order[0];
  if (first) sizes.set(first, Math.max(0, (sizes.get(first) ?? 0) + toAdd - added));
  for (const rs of order) await scaleReplicaSet(ctx, d, rs, Math.max(0, sizes.get(rs) ?? 0));
}

/** getReplicaSetProportion: a ReplicaSet's share of the change, from the max-replicas it was sized for. */
function proportion(d: Deployment, rs: ReplicaSet, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const replicas = d.spec.replicas ?? 1;
  let fraction: number;
  if (replicas === 0) fraction = -specReplicas(rs);
  else {
    const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS] ?? d.status?.replicas ?? 0) || 1;
    fraction = Math.round((specReplicas(rs) * (replicas + maxSurge(d))) / annotated) - specReplicas(rs);
  }
  const left = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, left) : Math.max(fraction, left);
}
