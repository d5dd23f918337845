// The ReplicaSet controller (pkg/controller/replicaset): keeps `replicas` active pods matching the
// selector, adopting orphans that match and releasing owned pods that no longer do; scales down in
// ActivePodsWithRanks order (pod-order.ts); reports replicas, fullyLabeledReplicas, readyReplicas,
// availableReplicas (ready for minReadySeconds) and observedGeneration. Pod creation is written to the
// pod store before sync returns, so the next sync sees it: no "expectations" are needed.
import { errorMessage } from '../../common/errors.js';
import type { ReplicaSet, ReplicaSetStatus } from '../../kube/kinds/apps.js';
import { selectorMatches } from '../../kube/label-selector.js';
import type { Controller, ControllerContext, SyncResult } from '../controller.js';
import { controllerOf, controllerRef, isControlledBy, withControllerRef, withoutOwner } from '../owners.js';
import { isActive, isAvailable, type ControlledPod } from '../pods.js';
import type { ObjectKey } from '../store/object-store.js';
import { podsToDelete } from './pod-order.js';

/** The controller's burstReplicas: at most this many creations or deletions per sync. */
const BURST_REPLICAS = 500;

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  readonly kind = 'ReplicaSet';
  readonly owns = ['Pod'];
  readonly watches = [
    {
      // An orphan pod that a ReplicaSet's selector matches is adopted: its arrival concerns those ReplicaSets.
      kind: 'Pod',
      map: (change: { metadata: { namespace?: string; labels?: Readonly<Record<string, string>>; ownerReferences?: readonly unknown[] } }): ObjectKey[] => {
        if (change.metadata.ownerReferences?.length) return [];
        const namespace = change.metadata.namespace ?? 'default';
        return this.ctx.store
          .list<ReplicaSet>('ReplicaSet', namespace)
          .filter((rs) => selectorMatches(rs.spec.selector, change.metadata.labels))
          .map((rs) => ({ kind: 'ReplicaSet', namespace, name: rs.metadata.name }));
      },
    },
  ];

  constructor(private readonly ctx: ControllerContext) {}

  async sync(key: ObjectKey): Promise<SyncResult | void> {
    const rs = this.ctx.store.get<ReplicaSet>(key);
    if (!rs) return;
    const pods = await this.claimPods(rs);
    const active = pods.filter(isActive);
    let failure: string | undefined;
    if (rs.metadata.deletionTimestamp === undefined) {
      failure = await this.manageReplicas(rs, active).then(
        () => undefined,
        (err: unknown) => errorMessage(err),
      );
    }
    const now = this.ctx.clock.now();
    const after = (await this.claimPods(rs)).filter(isActive);
    const minReady = rs.spec.minReadySeconds ?? 0;
    const status: ReplicaSetStatus = {
      replicas: after.length,
      fullyLabeledReplicas: after.filter((p) => Object.entries(rs.spec.template.metadata?.labels ?? {}).every(([k, v]) => p.pod.metadata.labels?.[k] === v))
        .length,
      readyReplicas: after.filter((p) => p.ready).length,
      availableReplicas: after.filter((p) => isAvailable(p, minReady, now)).length,
      observedGeneration: rs.metadata.generation ?? 1,
      ...(failure !== undefined
        ? { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: failure, lastTransitionTime: now.toISOString() }] }
        : {}),
    };
    if (JSON.stringify(status) !== JSON.stringify(rs.status)) await this.ctx.store.updateStatus<ReplicaSet>(key, status);
    if (failure !== undefined) throw new Error(failure);
    // Pods ready but not yet available: look again when the first of them becomes available.
    const waiting = after.filter((p) => p.ready && p.readySince && !isAvailable(p, minReady, now));
    if (waiting.length > 0) {
      const soonest = Math.min(...waiting.map((p) => (p.readySince?.getTime() ?? 0) + minReady * 1000 - now.getTime()));
      return { requeueAfterMs: Math.max(0, soonest) + 1 };
    }
  }

  /** The pods this ReplicaSet owns after adopting matching orphans and releasing non-matching ones. */
  private async claimPods(rs: ReplicaSet): Promise<ControlledPod[]> {
    const namespace = rs.metadata.namespace ?? 'default';
    const owned: ControlledPod[] = [];
    for (const p of this.ctx.pods.list(namespace)) {
      const matches = selectorMatches(rs.spec.selector, p.pod.metadata.labels);
      if (isControlledBy(p.pod.metadata, rs)) {
        if (matches) owned.push(p);
        else if (rs.metadata.deletionTimestamp === undefined) await this.ctx.pods.updateMetadata(p.uid, (m) => withoutOwner(m, rs.metadata.uid ?? ''));
      } else if (matches && !controllerOf(p.pod.metadata) && !p.terminating && rs.metadata.deletionTimestamp === undefined) {
        await this.ctx.pods.updateMetadata(p.uid, (m) => withControllerRef(m, rs));
        const adopted = this.ctx.pods.get(p.uid);
        if (adopted) owned.push(adopted);
      }
    }
    return owned;
  }

  private async manageReplicas(rs: ReplicaSet, active: readonly ControlledPod[]): Promise<void> {
    const namespace = rs.metadata.namespace ?? 'default';
    const diff = active.length - (rs.spec.replicas ?? 1);
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      // Slow start, as the controller does: batches of 1, 2, 4, ... so a failing template fails once, not N times.
      let created = 0;
      for (let batch = 1; created < count; batch *= 2) {
        const size = Math.min(batch, count - created);
        const made = await Promise.all(
          Array.from({ length: size }, () =>
            this.ctx.pods.create(namespace, rs.spec.template, { generateName: `${rs.metadata.name}-`, owner: controllerRef(rs) }),
          ),
        );
        for (const pod of made) this.ctx.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        created += size;
      }
    } else if (diff > 0) {
      for (const p of podsToDelete(active, Math.min(diff, BURST_REPLICAS))) {
        await this.ctx.pods.delete(namespace, p.pod.metadata.name);
        this.ctx.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.pod.metadata.name}`);
      }
    }
  }
}
