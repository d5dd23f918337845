// One reconcile step of a StatefulSet, without I/O: given the set and what exists (its pods, its claims),
// the actions to take now and the status to report. The rules are the StatefulSet controller's
// (pkg/controller/statefulset/stateful_set_control.go, and the "StatefulSets" concept page):
// - replicas are the ordinals [start, start+replicas); pods above are condemned;
// - OrderedReady: one pod created at a time, each after its predecessors are Running and Ready; condemned
//   pods deleted from the highest ordinal, one at a time, only when every other pod is healthy;
// - Parallel: every missing pod created and every condemned pod deleted at once (scaling only);
// - RollingUpdate: the highest-ordinal pod not at the update revision is deleted (to be recreated at it),
//   one at a time, down to the partition, each after the ones above are Running and Ready;
// - OnDelete: pods are replaced with the update revision only when deleted by someone else;
// - a Failed or Succeeded pod is deleted to be recreated; claims are created before their pod and kept
//   (whenScaled: Delete removes the claims of condemned ordinals once their pod is gone).
import type { StatefulSet, StatefulSetStatus } from '../../kube/stateful-types.js';
import { claimNamesFor, ordinalOf, podNameFor } from './identity.js';

/** What the planner needs of a pod of the set. */
export interface MemberPod {
  readonly name: string;
  /** The pod's `controller-revision-hash` label. */
  readonly revision: string | undefined;
  readonly phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  readonly ready: boolean;
  /** Ready for at least minReadySeconds (status.availableReplicas); ready when absent. */
  readonly available?: boolean;
  /** Deletion was requested and the pod is still shutting down. */
  readonly terminating: boolean;
}

export type StatefulSetAction =
  | { readonly kind: 'createClaim'; readonly ordinal: number; readonly template: number; readonly name: string }
  | { readonly kind: 'createPod'; readonly ordinal: number; readonly name: string; readonly revision: string }
  | { readonly kind: 'deletePod'; readonly name: string; readonly reason: 'failed' | 'condemned' | 'update' }
  | { readonly kind: 'deleteClaim'; readonly name: string };

export interface StatefulSetPlanInput {
  readonly set: StatefulSet;
  readonly pods: readonly MemberPod[];
  /** Names of the claims that exist in the set's namespace. */
  readonly claims: ReadonlySet<string>;
  /** The revision the set's pods were at before the template last changed (status.currentRevision). */
  readonly currentRevision: string;
  /** The revision of the set's template now. */
  readonly updateRevision: string;
}

export interface StatefulSetPlan {
  readonly actions: readonly StatefulSetAction[];
  readonly status: StatefulSetStatus;
  /** Why the plan stopped short (OrderedReady waiting on a pod), for events and describe. */
  readonly waitingOn?: string;
}

const isHealthy = (p: MemberPod): boolean => p.phase === 'Running' && p.ready && !p.terminating;
const isFinished = (p: MemberPod): boolean => p.phase === 'Failed' || p.phase === 'Succeeded';

export function planStatefulSet(input: StatefulSetPlanInput): StatefulSetPlan {
  const { set } = input;
  const replicas = set.spec.replicas ?? 1;
  const start = set.spec.ordinals?.start ?? 0;
  const ordered = (set.spec.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
  const byOrdinal = new Map<number, MemberPod>();
  for (const pod of input.pods) {
    const ordinal = ordinalOf(set.metadata.name, pod.name);
    if (ordinal !== undefined) byOrdinal.set(ordinal, pod);
  }
  const status = statusOf(input, replicas);
  const actions: StatefulSetAction[] = [];
  const done = (waitingOn?: string): StatefulSetPlan => (waitingOn === undefined ? { actions, status } : { actions, status, waitingOn });

  // The replicas, lowest ordinal first.
  for (let ordinal = start; ordinal < start + replicas; ordinal++) {
    const name = podNameFor(set, ordinal);
    const pod = byOrdinal.get(ordinal);
    if (pod && isFinished(pod) && !pod.terminating) {
      actions.push({ kind: 'deletePod', name, reason: 'failed' });
      if (ordered) return done(`pod ${name} ${pod.phase.toLowerCase()}: recreating it`);
      continue;
    }
    if (!pod) {
      claimNamesFor(set, ordinal).forEach((claim, template) => {
        if (!input.claims.has(claim)) actions.push({ kind: 'createClaim', ordinal, template, name: claim });
      });
      actions.push({ kind: 'createPod', ordinal, name, revision: revisionForNewPod(input, ordinal) });
      if (ordered) return done(`pod ${name} to be Running and Ready`);
      continue;
    }
    // A pod whose claim went missing (deleted by hand) gets it back, as the controller's storage invariant does.
    claimNamesFor(set, ordinal).forEach((claim, template) => {
      if (!input.claims.has(claim)) actions.push({ kind: 'createClaim', ordinal, template, name: claim });
    });
    if (ordered && !isHealthy(pod)) return done(`pod ${name} to be ${pod.terminating ? 'gone before it is recreated' : 'Running and Ready'}`);
  }

  // Condemned pods, highest ordinal first.
  const condemned = [...byOrdinal.entries()].filter(([o]) => o < start || o >= start + replicas).sort((a, b) => b[0] - a[0]);
  // The controller's firstUnhealthyPod: an unhealthy condemned pod may go only if no lower ordinal is unhealthy too.
  const firstUnhealthy = [...byOrdinal.entries()].sort((a, b) => a[0] - b[0]).find(([, p]) => !isHealthy(p))?.[1];
  for (const [, pod] of condemned) {
    if (pod.terminating) {
      if (ordered) return done(`pod ${pod.name} to terminate`);
      continue;
    }
    if (ordered && !isHealthy(pod) && pod !== firstUnhealthy && firstUnhealthy !== undefined)
      return done(`pod ${firstUnhealthy.name} to be Running and Ready before scaling down`);
    actions.push({ kind: 'deletePod', name: pod.name, reason: 'condemned' });
    if (ordered) return done();
  }
  if (actions.length > 0 && !ordered) return done();

  // whenScaled: Delete: claims of ordinals above the replicas go once their pod is gone.
  if (set.spec.persistentVolumeClaimRetentionPolicy?.whenScaled === 'Delete') {
    for (const claim of condemnedClaims(input, start + replicas)) actions.push({ kind: 'deleteClaim', name: claim });
  }
  return planUpdate(input, byOrdinal, start, replicas, actions, status);
}

/** Pods at ordinals below the partition are recreated at the current revision; all others at the update revision. */
function revisionForNewPod(input: StatefulSetPlanInput, ordinal: number): string {
  const strategy = input.set.spec.updateStrategy;
  if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return input.updateRevision;
  const partition = strategy?.rollingUpdate?.partition ?? 0;
  return ordinal < (input.set.spec.ordinals?.start ?? 0) + partition ? input.currentRevision : input.updateRevision;
}

/** Claims named like this set's templates for an ordinal at or above `limit`, whose pod does not exist. */
function condemnedClaims(input: StatefulSetPlanInput, limit: number): string[] {
  const { set } = input;
  const out: string[] = [];
  const existing = new Set(input.pods.map((p) => p.name));
  for (const template of set.spec.volumeClaimTemplates ?? []) {
    const prefix = `${template.metadata.name}-${set.metadata.name}-`;
    for (const claim of input.claims) {
      if (!claim.startsWith(prefix)) continue;
      const tail = claim.slice(prefix.length);
      if (!/^(0|[1-9][0-9]*)$/.test(tail)) continue;
      const ordinal = Number(tail);
      if (ordinal >= limit && !existing.has(podNameFor(set, ordinal))) out.push(claim);
    }
  }
  return out;
}

function planUpdate(
  input: StatefulSetPlanInput,
  byOrdinal: ReadonlyMap<number, MemberPod>,
  start: number,
  replicas: number,
  actions: StatefulSetAction[],
  status: StatefulSetStatus,
): StatefulSetPlan {
  const strategy = input.set.spec.updateStrategy;
  if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return { actions, status };
  const partition = strategy?.rollingUpdate?.partition ?? 0;
  for (let ordinal = start + replicas - 1; ordinal >= start + partition; ordinal--) {
    const pod = byOrdinal.get(ordinal);
    if (!pod) return { actions, status, waitingOn: `pod ${podNameFor(input.set, ordinal)} to be created` };
    if (pod.revision !== input.updateRevision && !pod.terminating) {
      actions.push({ kind: 'deletePod', name: pod.name, reason: 'update' });
      return { actions, status };
    }
    if (!isHealthy(pod)) return { actions, status, waitingOn: `pod ${pod.name} to be Running and Ready` };
  }
  return { actions, status };
}

function statusOf(input: StatefulSetPlanInput, replicas: number): StatefulSetStatus {
  const live = input.pods.filter((p) => ordinalOf(input.set.metadata.name, p.name) !== undefined);
  const count = (f: (p: MemberPod) => boolean): number => live.filter(f).length;
  const readyReplicas = count((p) => p.phase === 'Running' && p.ready && !p.terminating);
  const updatedReplicas = count((p) => p.revision === input.updateRevision && !p.terminating);
  let currentReplicas = count((p) => p.revision === input.currentRevision && !p.terminating);
  let currentRevision = input.currentRevision;
  // completeRollingUpdate: once every pod is updated and ready, the update revision becomes the current one.
  const rolling = (input.set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && live.length === replicas && updatedReplicas === replicas && readyReplicas === replicas) {
    currentRevision = input.updateRevision;
    currentReplicas = updatedReplicas;
  }
  return {
    ...(input.set.metadata.generation !== undefined ? { observedGeneration: input.set.metadata.generation } : {}),
    replicas: live.length,
    readyReplicas,
    currentReplicas,
    updatedReplicas,
    availableReplicas: count((p) => p.phase === 'Running' && p.ready && (p.available ?? true) && !p.terminating),
    currentRevision,
    updateRevision: input.updateRevision,
  };
}
