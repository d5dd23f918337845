// A Deployment's status as the controller computes it (calculateStatus, syncRolloutStatus): counts summed
// over its ReplicaSets, the Available condition from maxUnavailable, and the Progressing condition that
// tells a finished rollout (NewReplicaSetAvailable), one making progress (ReplicaSetUpdated) and one
// stuck past progressDeadlineSeconds (ProgressDeadlineExceeded).
import type { Condition, Deployment, DeploymentStatus, ReplicaSet } from '../../kube/kinds/apps.js';
import { maxUnavailable, sum } from './util.js';

export const AVAILABLE = 'Available';
export const PROGRESSING = 'Progressing';

export function calculateStatus(d: Deployment, all: readonly ReplicaSet[], newRs: ReplicaSet | undefined, now: Date): DeploymentStatus {
  const available = sum(all, (rs) => rs.status?.availableReplicas);
  const total = sum(all, (rs) => rs.spec.replicas);
  const replicas = d.spec.replicas ?? 1;
  const ok = available >= replicas - maxUnavailable(d);
  const conditions = setCondition(
    d.status?.conditions ?? [],
    ok
      ? { type: AVAILABLE, status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
      : { type: AVAILABLE, status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
    now,
  );
  return {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: sum(all, (rs) => rs.status?.replicas),
    updatedReplicas: newRs?.status?.replicas ?? 0,
    readyReplicas: sum(all, (rs) => rs.status?.readyReplicas),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
    ...(d.status?.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
    conditions,
  };
}

/** SetDeploymentCondition: an unchanged status and reason keeps the condition as it is; a changed status gets new times. */
export function setCondition(
  conditions: readonly Condition[],
  next: Omit<Condition, 'lastUpdateTime' | 'lastTransitionTime'>,
  now: Date,
  refresh = false,
): Condition[] {
  const at = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const current = conditions.find((c) => c.type === next.type);
  if (current && current.status === next.status && current.reason === next.reason && !refresh) return [...conditions];
  const condition: Condition = {
    ...next,
    lastUpdateTime: at,
    lastTransitionTime: current && current.status === next.status ? (current.lastTransitionTime ?? at) : at,
  };
  const order = [AVAILABLE, PROGRESSING];
  return [...conditions.filter((c) => c.type !== next.type), condition].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}

/** DeploymentComplete: every replica updated and available, and the latest spec observed. */
export function isComplete(d: Deployment, status: DeploymentStatus): boolean {
  const replicas = d.spec.replicas ?? 1;
  return (
    status.updatedReplicas === replicas &&
    status.replicas === replicas &&
    status.availableReplicas === replicas &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 1)
  );
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available pods than last time. */
function isProgressing(d: Deployment, next: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/**
 * syncRolloutStatus: the status with Progressing brought up to date, and when to look again (the
 * progress deadline of an unfinished rollout).
 */
export function rolloutStatus(
  d: Deployment,
  all: readonly ReplicaSet[],
  newRs: ReplicaSet | undefined,
  now: Date,
): { status: DeploymentStatus; requeueAfterMs?: number } {
  const status = calculateStatus(d, all, newRs, now);
  const deadline = d.spec.progressDeadlineSeconds;
  if (deadline === undefined || d.spec.paused === true) return { status };
  const name = newRs?.metadata.name ?? '';
  const current = status.conditions?.find((c) => c.type === PROGRESSING);
  let conditions = status.conditions ?? [];
  if (isComplete(d, status)) {
    conditions = setCondition(
      conditions,
      { type: PROGRESSING, status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}" has successfully progressed.` },
      now,
    );
    return { status: { ...status, conditions } };
  }
  if (isProgressing(d, status)) {
    conditions = setCondition(
      conditions,
      { type: PROGRESSING, status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${name}" is progressing.` },
      now,
      true,
    );
  } else if (current && current.status === 'True' && current.reason !== 'NewReplicaSetAvailable') {
    const since = Date.parse(current.lastUpdateTime ?? current.lastTransitionTime ?? '') || now.getTime();
    if (now.getTime() - since > deadline * 1000)
      conditions = setCondition(
        conditions,
        { type: PROGRESSING, status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${name}" has timed out progressing.` },
        now,
      );
  }
  const progressing = conditions.find((c) => c.type === PROGRESSING);
  const base = Date.parse(progressing?.lastUpdateTime ?? '') || now.getTime();
  const requeueAfterMs = progressing?.status === 'True' ? Math.max(1000, base + deadline * 1000 - now.getTime() + 1000) : undefined;
  return { status: { ...status, conditions }, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) };
}
