// One reconcile step of a DaemonSet on the one node there is, without I/O (the DaemonSet controller's
// manage + rollingUpdate, pkg/controller/daemon): a pod when the node fits, none when it does not; extra
// pods deleted (the oldest is kept); a Failed pod deleted to be replaced; RollingUpdate replaces an old
// pod within maxUnavailable (delete, then create) or, with maxSurge, creates the new pod first and
// deletes the old one once the new one is available; OnDelete replaces a pod only when someone deletes it.
import type { DaemonSet, DaemonSetStatus } from '../../kube/stateful-types.js';
import { misfit, type NodeView } from './node-fit.js';
import { compareStrings } from '../../common/compare.js';

export interface DaemonPod {
  readonly name: string;
  /** The pod's `controller-revision-hash` label. */
  readonly revision: string | undefined;
  readonly phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  readonly ready: boolean;
  /** Ready for at least minReadySeconds. */
  readonly available: boolean;
  readonly terminating: boolean;
  readonly createdAt: string;
}

export type DaemonSetAction =
  { readonly kind: 'createPod' } | { readonly kind: 'deletePod'; readonly name: string; readonly reason: 'misscheduled' | 'excess' | 'failed' | 'update' };

export interface DaemonSetPlan {
  readonly actions: readonly DaemonSetAction[];
  readonly status: DaemonSetStatus;
  /** Why no pod is wanted on this node, for describe and events. */
  readonly misfit?: string;
}

/** Defaults of apps/v1 DaemonSetUpdateStrategy: maxUnavailable 1, maxSurge 0. */
const DEFAULT_MAX_UNAVAILABLE = 1;

export function planDaemonSet(ds: DaemonSet, node: NodeView, pods: readonly DaemonPod[], updateRevision: string): DaemonSetPlan {
  const reason = misfit(ds.spec.template.spec, node);
  const shouldRun = reason === undefined;
  const live = pods.filter((p) => !p.terminating);
  const actions: DaemonSetAction[] = [];
  const status = statusOf(ds, shouldRun, live, updateRevision);
  const result = (): DaemonSetPlan => (reason === undefined ? { actions, status } : { actions, status, misfit: reason });
  if (!shouldRun) {
    for (const pod of live) actions.push({ kind: 'deletePod', name: pod.name, reason: 'misscheduled' });
    return result();
  }
  // A finished pod is deleted and, in the same pass, replaced (the controller's podsShouldBeOnNode).
  const finished = live.filter((p) => p.phase === 'Failed' || p.phase === 'Succeeded');
  for (const pod of finished) actions.push({ kind: 'deletePod', name: pod.name, reason: 'failed' });
  const healthy = live
    .filter((p) => p.phase !== 'Failed' && p.phase !== 'Succeeded')
    .sort((a, b) => compareStrings(a.createdAt, b.createdAt) || compareStrings(a.name, b.name));
  if (healthy.length === 0) {
    // A pod shutting down still holds its node (host ports, the daemon's files): wait for it, as the controller does.
    if (pods.every((p) => !p.terminating)) actions.push({ kind: 'createPod' });
    return result();
  }
  if ((ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'OnDelete') {
    for (const extra of healthy.slice(1)) actions.push({ kind: 'deletePod', name: extra.name, reason: 'excess' });
    return result();
  }
  planRollingUpdate(ds, healthy, updateRevision, actions);
  return result();
}

function planRollingUpdate(ds: DaemonSet, healthy: readonly DaemonPod[], updateRevision: string, actions: DaemonSetAction[]): void {
  const updated = healthy.filter((p) => p.revision === updateRevision);
  const old = healthy.filter((p) => p.revision !== updateRevision);
  const { maxSurge, maxUnavailable } = rollingLimits(ds);
  if (updated.length > 0) {
    // The newest updated pod stays; with it available, old pods (a surge's) go; extra updated pods go too.
    const [keep, ...extraUpdated] = updated;
    for (const extra of extraUpdated) actions.push({ kind: 'deletePod', name: extra.name, reason: 'excess' });
    if (keep?.available || maxSurge === 0) for (const pod of old) actions.push({ kind: 'deletePod', name: pod.name, reason: 'update' });
    return;
  }
  const [oldest, ...extraOld] = old;
  for (const extra of extraOld) actions.push({ kind: 'deletePod', name: extra.name, reason: 'excess' });
  if (!oldest) return;
  if (maxSurge > 0 && oldest.available) {
    actions.push({ kind: 'createPod' });
    return;
  }
  // An unavailable old pod is replaced whatever the budget (it counts against nothing that is serving).
  if (maxUnavailable >= 1 || !oldest.available) actions.push({ kind: 'deletePod', name: oldest.name, reason: 'update' });
}

/** maxSurge and maxUnavailable for one desired pod: a percentage of 1 rounds up for maxUnavailable, down for maxSurge. */
export function rollingLimits(ds: DaemonSet): { maxSurge: number; maxUnavailable: number } {
  const rolling = ds.spec.updateStrategy?.rollingUpdate;
  const scaled = (value: number | string | undefined, fallback: number, roundUp: boolean): number => {
    if (value === undefined) return fallback;
    if (typeof value === 'number') return value;
    const percent = Number(value.replace(/%$/, ''));
    return roundUp ? Math.ceil(percent / 100) : Math.floor(percent / 100);
  };
  const maxSurge = scaled(rolling?.maxSurge, 0, false);
  // With a surge the default maxUnavailable is 0 only if the user says so; apps/v1 defaults it to 1 regardless.
  const maxUnavailable = scaled(rolling?.maxUnavailable, DEFAULT_MAX_UNAVAILABLE, true);
  return { maxSurge, maxUnavailable };
}

function statusOf(ds: DaemonSet, shouldRun: boolean, live: readonly DaemonPod[], updateRevision: string): DaemonSetStatus {
  const scheduled = live.length > 0;
  const ready = shouldRun && live.some((p) => p.phase === 'Running' && p.ready);
  const available = shouldRun && live.some((p) => p.phase === 'Running' && p.available);
  const desired = shouldRun ? 1 : 0;
  return {
    ...(ds.metadata.generation !== undefined ? { observedGeneration: ds.metadata.generation } : {}),
    desiredNumberScheduled: desired,
    currentNumberScheduled: shouldRun && scheduled ? 1 : 0,
    numberMisscheduled: !shouldRun && scheduled ? 1 : 0,
    numberReady: ready ? 1 : 0,
    updatedNumberScheduled: shouldRun && live.some((p) => p.revision === updateRevision) ? 1 : 0,
    numberAvailable: available ? 1 : 0,
    numberUnavailable: desired - (available ? 1 : 0),
  };
}
