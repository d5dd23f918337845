// The Deployment controller's arithmetic and bookkeeping (pkg/controller/deployment/util): the
// pod-template-hash, maxSurge/maxUnavailable resolved against replicas, revisions and the annotations
// the controller keeps on ReplicaSets.
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../kube/kinds/apps.js';

export const POD_TEMPLATE_HASH = 'pod-template-hash';
export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';

/** rand.SafeEncodeString's alphabet: no vowels (no words), no 0/1/3 (no look-alikes). */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a, 32 bits: the hash ComputeHash feeds the template's printed form to. */
function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A stable JSON form: keys sorted at every level, so equal templates hash equally whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null)
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** controller.ComputeHash: the template (and the collision count, once there was one) hashed and safe-encoded. */
export function computeHash(template: PodTemplateSpec, collisionCount: number | undefined): string {
  const hash = fnv32a(canonical(template) + (collisionCount !== undefined ? String(collisionCount) : ''));
  return [...String(hash)].map((c) => SAFE[c.charCodeAt(0) % SAFE.length]).join('');
}

/** The template without the pod-template-hash label. */
function withoutHash(template: PodTemplateSpec): PodTemplateSpec {
  const labels = { ...(template.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH];
  return { ...template, metadata: { ...(template.metadata ?? {}), labels } };
}

/** EqualIgnoreHash: whether two templates differ only in the pod-template-hash label. */
export function templatesEqual(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return canonical(withoutHash(a)) === canonical(withoutHash(b));
}

export const templateWithoutHash = withoutHash;

function scaled(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const percent = Number(value.replace('%', ''));
  const exact = (percent * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** ResolveFenceposts: [maxSurge, maxUnavailable] in pods; both 0 makes maxUnavailable 1. */
export function fenceposts(d: Deployment): [number, number] {
  const replicas = d.spec.replicas ?? 1;
  const rolling = d.spec.strategy?.rollingUpdate;
  const surge = scaled(rolling?.maxSurge ?? '25%', replicas, true);
  const unavailable = scaled(rolling?.maxUnavailable ?? '25%', replicas, false);
  return surge === 0 && unavailable === 0 ? [0, 1] : [surge, unavailable];
}

export const isRollingUpdate = (d: Deployment): boolean => (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** MaxUnavailable: 0 for Recreate or no replicas, never more than replicas. */
export function maxUnavailable(d: Deployment): number {
  const replicas = d.spec.replicas ?? 1;
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d)[1], replicas);
}

/** MaxSurge: 0 for Recreate. */
export const maxSurge = (d: Deployment): number => (isRollingUpdate(d) ? fenceposts(d)[0] : 0);

export const revisionOf = (rs: ReplicaSet): number => Number(rs.metadata.annotations?.[REVISION] ?? 0) || 0;
export const specReplicas = (rs: ReplicaSet | undefined): number => rs?.spec.replicas ?? 0;
export const sum = (sets: readonly (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number | undefined): number =>
  sets.reduce((n, rs) => n + (rs ? (f(rs) ?? 0) : 0), 0);
export const created = (rs: ReplicaSet): number => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;

/** NewRSNewReplicas: how far the new ReplicaSet may grow now (RollingUpdate: within replicas + maxSurge). */
export function newRsReplicas(d: Deployment, all: readonly ReplicaSet[], newRs: ReplicaSet | undefined): number {
  const replicas = d.spec.replicas ?? 1;
  if (!isRollingUpdate(d)) return replicas;
  const current = sum(all, (rs) => rs.spec.replicas);
  const maxTotal = replicas + maxSurge(d);
  const mine = specReplicas(newRs);
  if (current >= maxTotal) return mine;
  return mine + Math.max(0, Math.min(maxTotal - current, replicas - mine));
}
