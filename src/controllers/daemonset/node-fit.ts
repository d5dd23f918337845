// Whether a DaemonSet's pod should run on this node: its nodeSelector, its required node affinity and
// its tolerations against the node's taints (the DaemonSet controller's NodeShouldRunDaemonPod with the
// scheduler's NodeAffinity and TaintToleration filters, on the one node there is).
import type { Toleration } from '../../kube/stateful-types.js';
import type { PodSpec } from '../../kube/types.js';

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeView {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

/**
 * The tolerations the DaemonSet controller adds to every daemon pod (AddOrUpdateDaemonPodTolerations):
 * daemons keep running through node conditions that would evict or keep out other pods.
 */
export const DAEMON_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/** The reason the pod does not fit the node, or undefined when it does. */
export function misfit(spec: PodSpec, node: NodeView): string | undefined {
  for (const [key, value] of Object.entries(spec.nodeSelector ?? {})) {
    if (node.labels[key] !== value) return `node ${node.name} does not match the nodeSelector ${key}=${value}`;
  }
  if (!affinityMatches(spec, node)) return `node ${node.name} does not match the required node affinity`;
  const tolerations = [...tolerationsOf(spec), ...DAEMON_TOLERATIONS];
  for (const taint of node.taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!tolerations.some((t) => tolerates(t, taint)))
      return `node ${node.name} has the taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect} the pod does not tolerate`;
  }
  return undefined;
}

/** The scheduler's Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if ((t.key ?? '') !== '' && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  // Equal (the default): an empty key only goes with Exists.
  return (t.key ?? '') !== '' && (t.value ?? '') === (taint.value ?? '');
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const records = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function tolerationsOf(spec: PodSpec): Toleration[] {
  return (spec.tolerations ?? []).map((t) => t as Toleration);
}

/** requiredDuringSchedulingIgnoredDuringExecution: the terms are ORed, a term's expressions ANDed. */
function affinityMatches(spec: PodSpec, node: NodeView): boolean {
  const affinity = (spec as { readonly affinity?: unknown }).affinity;
  if (!isRecord(affinity) || !isRecord(affinity['nodeAffinity'])) return true;
  const required = affinity['nodeAffinity']['requiredDuringSchedulingIgnoredDuringExecution'];
  if (!isRecord(required)) return true;
  const terms = records(required['nodeSelectorTerms']);
  if (terms.length === 0) return false;
  return terms.some((term) => {
    const expressions = records(term['matchExpressions']);
    const fields = records(term['matchFields']);
    if (expressions.length === 0 && fields.length === 0) return false;
    return (
      expressions.every((e) => requirementMatches(e, (key) => node.labels[key])) &&
      fields.every((e) => requirementMatches(e, (key) => (key === 'metadata.name' ? node.name : undefined)))
    );
  });
}

function requirementMatches(e: Record<string, unknown>, read: (key: string) => string | undefined): boolean {
  const value = read(typeof e['key'] === 'string' ? e['key'] : '');
  const values = strings(e['values']);
  switch (e['operator']) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const [limit] = values;
      if (value === undefined || limit === undefined || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(limit)) return false;
      return e['operator'] === 'Gt' ? Number(value) > Number(limit) : Number(value) < Number(limit);
    }
    default:
      return false;
  }
}
