// The description of an API kind beyond Pod/ConfigMap/Secret (the workloads and Services of #17): its
// names (as discovery and kubectl spell them), its shape and semantic checks, its defaults and its
// `get` columns. One file per kind group registers these in kinds/index.ts.
import type { Finding, Shape } from '../schema.js';
import type { ObjectMeta } from '../types.js';

/** Any stored API object: the typed kinds (apps.ts, ...) narrow spec and status. */
export interface ApiObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly spec?: unknown;
  readonly status?: unknown;
  readonly [field: string]: unknown;
}

export interface Column {
  readonly header: string;
  /** `now` in ms, for ages and durations. */
  value(object: ApiObject, now: number): string;
}

export interface KindInfo {
  readonly kind: string;
  readonly apiVersion: string;
  /** Lower-case plural, the REST resource: `deployments`. */
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
  /**
   * `apply -f DIR` creates objects in this order, lower first (what they need exists before them:
   * PVs, PVCs and Services before the workloads whose pods use them). Pods are 100.
   */
  readonly applyOrder: number;
  /** Structure and types; unknown fields become warnings. */
  readonly shape: Shape;
  /** Semantic rules, run only when the shape is right; paths from the object's root. */
  validate(value: Record<string, unknown>, errors: Finding[]): void;
  /** Rules on a change of a stored object (immutable fields): the problem, or undefined when allowed. */
  validateUpdate?(before: Record<string, unknown>, after: Record<string, unknown>): string | undefined;
  /** The API server's defaults (applied after validation, before storing). */
  defaults(object: ApiObject): ApiObject;
  /** `get` columns between NAME and AGE, and the extra ones of `-o wide`. */
  readonly columns: readonly Column[];
  readonly wideColumns?: readonly Column[];
  /** Fields a user's apply owns besides `spec` (EndpointSlice's endpoints, PV's ...); default ['spec']. */
  readonly specFields?: readonly string[];
}

/** The API group: '' for the core group (v1). */
export function groupOf(k: Pick<KindInfo, 'apiVersion'>): string {
  const slash = k.apiVersion.indexOf('/');
  return slash < 0 ? '' : k.apiVersion.slice(0, slash);
}

/** kubectl's HumanDuration: 45s, 3m20s, 5h, 4d. */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 || hours >= 8 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** An age column's text from a timestamp; `<unknown>` without one, as kubectl prints. */
export function ageOf(timestamp: string | undefined, now: number): string {
  return timestamp === undefined ? '<unknown>' : humanDuration(now - Date.parse(timestamp));
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A scalar field as text (what a column prints), `fallback` when absent or not a scalar. */
export function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : fallback;
}
