// `apply` as a three-way merge, field by field at the top of `spec` and per key of labels and
// annotations (kubectl's last-applied-configuration logic, one level deep): a field the manifest sets
// wins; a field it set last time and no longer does is removed; a field it never set (a `scale`d
// replicas, a controller's annotation, an allocated clusterIP) keeps its stored value.
import type { ApiObject } from '../../kube/kinds/index.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergeFields(current: unknown, lastApplied: unknown, applied: unknown): unknown {
  if (!isRec(applied)) return applied;
  const cur = isRec(current) ? current : {};
  const last = isRec(lastApplied) ? lastApplied : {};
  const out: Rec = {};
  for (const key of new Set([...Object.keys(cur), ...Object.keys(applied)])) {
    if (key in applied) out[key] = applied[key];
    else if (!(key in last)) out[key] = cur[key];
  }
  return out;
}

/** The object an apply of `applied` over `current` stores (before defaults); status and identity stay. */
export function mergeApply(current: ApiObject, lastApplied: ApiObject | undefined, applied: ApiObject, specFields: readonly string[]): ApiObject {
  const merged: Rec = { ...current };
  for (const field of specFields) {
    const value = mergeFields(current[field], lastApplied?.[field], applied[field]);
    if (value === undefined) delete merged[field];
    else merged[field] = value;
  }
  const labels = mergeFields(current.metadata.labels, lastApplied?.metadata.labels, applied.metadata.labels ?? {}) as Record<string, string>;
  const annotations = mergeFields(current.metadata.annotations, lastApplied?.metadata.annotations, applied.metadata.annotations ?? {}) as Record<
    string,
    string
  >;
  const metadata = {
    ...current.metadata,
    labels,
    annotations,
    ...(applied.metadata.ownerReferences ? { ownerReferences: applied.metadata.ownerReferences } : {}),
  };
  if (Object.keys(labels).length === 0) delete (metadata as Rec)['labels'];
  if (Object.keys(annotations).length === 0) delete (metadata as Rec)['annotations'];
  return { ...(merged as ApiObject), metadata };
}

/** What counts as the spec for `metadata.generation`: everything but identity, metadata and status. */
export function specPart(object: ApiObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = object;
  return JSON.stringify(rest);
}
