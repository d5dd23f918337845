// A Deployment's ReplicaSets (pkg/controller/deployment/sync.go): finding or creating the new one (named
// <deployment>-<pod-template-hash>, the hash added to its selector, template labels and its own labels),
// its revision (one more than the newest old one), scaling one with the annotations and event the
// controller writes, and deleting old ones beyond revisionHistoryLimit.
import { PeapodError } from '../../common/errors.js';
import type { Deployment, ReplicaSet } from '../../kube/kinds/apps.js';
import type { ControllerContext } from '../controller.js';
import { controllerRef } from '../owners.js';
import { keyOfObject } from '../store/object-store.js';
import {
  CHANGE_CAUSE,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  POD_TEMPLATE_HASH,
  REVISION,
  REVISION_HISTORY,
  computeHash,
  created,
  maxSurge,
  newRsReplicas,
  revisionOf,
  templatesEqual,
} from './util.js';

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's (hash label aside). */
export function findNewReplicaSet(d: Deployment, sets: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...sets].sort((a, b) => created(a) - created(b)).find((rs) => templatesEqual(rs.spec.template, d.spec.template));
}

const rsAnnotations = (d: Deployment, revision: number, existing: Readonly<Record<string, string>> = {}): Record<string, string> => {
  const out: Record<string, string> = { ...existing };
  const old = Number(existing[REVISION] ?? 0);
  if (old < revision) {
    // A ReplicaSet brought back (rollout undo) keeps the revisions it had in revision-history.
    if (old > 0) out[REVISION_HISTORY] = [existing[REVISION_HISTORY], String(old)].filter(Boolean).join(',');
    out[REVISION] = String(revision);
  }
  out[DESIRED_REPLICAS] = String(d.spec.replicas ?? 1);
  out[MAX_REPLICAS] = String((d.spec.replicas ?? 1) + maxSurge(d));
  const cause = d.metadata.annotations?.[CHANGE_CAUSE];
  if (cause !== undefined) out[CHANGE_CAUSE] = cause;
  return out;
};

/**
 * The new ReplicaSet, its annotations brought up to date, or created (when `create`) with as many
 * replicas as the strategy allows now. The Deployment's revision annotation follows it.
 */
export async function newReplicaSet(ctx: ControllerContext, d: Deployment, sets: readonly ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
  const existing = findNewReplicaSet(d, sets);
  const olds = sets.filter((rs) => rs !== existing);
  const revision = Math.max(0, ...olds.map(revisionOf)) + 1;
  let rs = existing;
  if (existing) {
    const annotations = rsAnnotations(d, revision, existing.metadata.annotations);
    const minReady = d.spec.minReadySeconds ?? 0;
    if (JSON.stringify(annotations) !== JSON.stringify(existing.metadata.annotations ?? {}) || (existing.spec.minReadySeconds ?? 0) !== minReady) {
      rs = await ctx.store.update<ReplicaSet>(keyOfObject(existing), (c) => ({
        ...c,
        metadata: { ...c.metadata, annotations },
        spec: { ...c.spec, minReadySeconds: minReady },
      }));
    }
  } else if (create) rs = await createNewReplicaSet(ctx, d, sets, revision);
  if (rs) await setDeploymentRevision(ctx, d, String(revisionOf(rs)));
  return rs;
}

async function createNewReplicaSet(ctx: ControllerContext, d: Deployment, sets: readonly ReplicaSet[], revision: number): Promise<ReplicaSet> {
  const hash = computeHash(d.spec.template, d.status?.collisionCount);
  const name = `${d.metadata.name}-${hash}`;
  const labels = { ...(d.spec.template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
  const replicas = newRsReplicas(d, sets, undefined);
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: d.metadata.namespace ?? 'default', labels, annotations: rsAnnotations(d, revision), ownerReferences: [controllerRef(d)] },
    spec: {
      replicas,
      minReadySeconds: d.spec.minReadySeconds ?? 0,
      selector: { ...d.spec.selector, matchLabels: { ...(d.spec.selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash } },
      template: { ...d.spec.template, metadata: { ...(d.spec.template.metadata ?? {}), labels } },
    },
  };
  try {
    const made = await ctx.store.create(rs);
    if (replicas > 0) ctx.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${name} from 0 to ${replicas}`);
    return made;
  } catch (err) {
    if (!(err instanceof PeapodError && err.code === 'AlreadyExists')) throw err;
    const clash = ctx.store.get<ReplicaSet>({ kind: 'ReplicaSet', namespace: d.metadata.namespace ?? 'default', name });
    if (clash && clash.metadata.ownerReferences?.some((r) => r.uid === d.metadata.uid) && templatesEqual(clash.spec.template, d.spec.template)) return clash;
    // A hash collision with someone else's ReplicaSet: count it, and the next sync hashes differently.
    const collisionCount = (d.status?.collisionCount ?? 0) + 1;
    await ctx.store.updateStatus<Deployment>(keyOfObject(d), { ...(d.status ?? {}), collisionCount });
    throw new PeapodError('AlreadyExists', `replica set ${name} already exists with another template; collisionCount is now ${collisionCount}`);
  }
}

async function setDeploymentRevision(ctx: ControllerContext, d: Deployment, revision: string): Promise<void> {
  if (d.metadata.annotations?.[REVISION] === revision) return;
  await ctx.store.update<Deployment>(keyOfObject(d), (c) => ({
    ...c,
    metadata: { ...c.metadata, annotations: { ...(c.metadata.annotations ?? {}), [REVISION]: revision } },
  }));
}

/** scaleReplicaSetAndRecordEvent: sets replicas (and the desired/max annotations); an event on the Deployment. */
export async function scaleReplicaSet(ctx: ControllerContext, d: Deployment, rs: ReplicaSet, replicas: number): Promise<ReplicaSet> {
  const from = rs.spec.replicas ?? 0;
  const annotations = {
    ...(rs.metadata.annotations ?? {}),
    [DESIRED_REPLICAS]: String(d.spec.replicas ?? 1),
    [MAX_REPLICAS]: String((d.spec.replicas ?? 1) + maxSurge(d)),
  };
  if (from === replicas && JSON.stringify(annotations) === JSON.stringify(rs.metadata.annotations ?? {})) return rs;
  const updated = await ctx.store.update<ReplicaSet>(keyOfObject(rs), (c) => ({
    ...c,
    metadata: { ...c.metadata, annotations },
    spec: { ...c.spec, replicas },
  }));
  if (from !== replicas)
    ctx.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`);
  return updated;
}

/** cleanupDeployment: old, empty ReplicaSets beyond revisionHistoryLimit are deleted, oldest revision first. */
export async function cleanupOldReplicaSets(ctx: ControllerContext, d: Deployment, olds: readonly ReplicaSet[]): Promise<void> {
  const limit = d.spec.revisionHistoryLimit ?? 10;
  const cleanable = olds.filter((rs) => rs.metadata.deletionTimestamp === undefined).sort((a, b) => revisionOf(a) - revisionOf(b));
  let excess = cleanable.length - limit;
  for (const rs of cleanable) {
    if (excess <= 0) break;
    if ((rs.status?.replicas ?? 0) !== 0 || (rs.spec.replicas ?? 0) !== 0 || (rs.metadata.generation ?? 1) > (rs.status?.observedGeneration ?? 0)) continue;
    await ctx.store.delete(keyOfObject(rs));
    excess--;
  }
}
