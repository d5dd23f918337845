// The Deployment controller (pkg/controller/deployment): claims the ReplicaSets its selector matches,
// then per sync does one of: status only (being deleted), a proportional scale (replicas changed), or a
// step of its strategy (RollingUpdate or Recreate), and writes the status. Every step is computed from
// the stored ReplicaSets and pods, so a daemon killed mid-rollout continues from where the store is.
import type { Deployment, ReplicaSet } from '../../kube/kinds/apps.js';
import { selectorMatches } from '../../kube/label-selector.js';
import type { Controller, ControllerContext, SyncResult } from '../controller.js';
import { controllerOf, isControlledBy, withControllerRef, withoutOwner } from '../owners.js';
import { keyOfObject, type ObjectKey } from '../store/object-store.js';
import { cleanupOldReplicaSets, findNewReplicaSet, newReplicaSet, scaleReplicaSet } from './replica-sets.js';
import { reconcileNew, reconcileOld, scale } from './rolling.js';
import { calculateStatus, isComplete, rolloutStatus } from './status.js';
import { DESIRED_REPLICAS, specReplicas } from './util.js';

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  readonly kind = 'Deployment';
  readonly owns = ['ReplicaSet'];
  readonly watches = [
    {
      // Recreate waits for the old pods to be gone: a pod's change concerns its ReplicaSet's Deployment.
      kind: 'Pod',
      map: (change: { metadata: { namespace?: string; ownerReferences?: readonly { kind: string; name: string; controller?: boolean }[] } }): ObjectKey[] => {
        const owner = change.metadata.ownerReferences?.find((r) => r.controller === true && r.kind === 'ReplicaSet');
        if (!owner) return [];
        const namespace = change.metadata.namespace ?? 'default';
        const rs = this.ctx.store.get<ReplicaSet>({ kind: 'ReplicaSet', namespace, name: owner.name });
        const d = rs ? controllerOf(rs.metadata) : undefined;
        return d?.kind === 'Deployment' ? [{ kind: 'Deployment', namespace, name: d.name }] : [];
      },
    },
  ];

  constructor(private readonly ctx: ControllerContext) {}

  async sync(key: ObjectKey): Promise<SyncResult | void> {
    const d = this.ctx.store.get<Deployment>(key);
    if (!d) return;
    const sets = await this.claimReplicaSets(d);
    if (d.metadata.deletionTimestamp !== undefined || d.spec.paused === true) {
      if (d.spec.paused === true && d.metadata.deletionTimestamp === undefined) await this.scaleOnly(d, sets);
      return this.writeStatus(d, false);
    }
    if (this.isScalingEvent(d, sets)) {
      await this.scaleOnly(d, sets);
      return this.writeStatus(d, false);
    }
    if ((d.spec.strategy?.type ?? 'RollingUpdate') === 'Recreate') await this.recreate(d, sets);
    else await this.rollingUpdate(d, sets);
    return this.writeStatus(d, true);
  }

  /** The ReplicaSets this Deployment controls, after adopting matching orphans and releasing the rest. */
  private async claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const namespace = d.metadata.namespace ?? 'default';
    const owned: ReplicaSet[] = [];
    for (const rs of this.ctx.store.list<ReplicaSet>('ReplicaSet', namespace)) {
      const matches = selectorMatches(d.spec.selector, rs.metadata.labels);
      const key = keyOfObject(rs);
      if (isControlledBy(rs.metadata, d)) {
        if (matches) owned.push(rs);
        else if (d.metadata.deletionTimestamp === undefined)
          await this.ctx.store.update(key, (c) => ({ ...c, metadata: withoutOwner(c.metadata, d.metadata.uid ?? '') }));
      } else if (matches && !controllerOf(rs.metadata) && rs.metadata.deletionTimestamp === undefined && d.metadata.deletionTimestamp === undefined) {
        owned.push(await this.ctx.store.update<ReplicaSet>(key, (c) => ({ ...c, metadata: withControllerRef(c.metadata, d) })));
      }
    }
    return owned;
  }

  /** isScalingEvent: an active ReplicaSet was sized for another `replicas` than the Deployment's. */
  private isScalingEvent(d: Deployment, sets: readonly ReplicaSet[]): boolean {
    const newRs = findNewReplicaSet(d, sets);
    const active = sets.filter((rs) => specReplicas(rs) > 0 || rs === newRs);
    return active.some((rs) => {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
      return desired !== undefined && Number(desired) !== (d.spec.replicas ?? 1);
    });
  }

  private async scaleOnly(d: Deployment, sets: readonly ReplicaSet[]): Promise<void> {
    const newRs = await newReplicaSet(this.ctx, d, sets, false);
    await scale(
      this.ctx,
      d,
      newRs,
      sets.filter((rs) => rs !== findNewReplicaSet(d, sets)),
    );
  }

  private async rollingUpdate(d: Deployment, sets: readonly ReplicaSet[]): Promise<void> {
    const newRs = await newReplicaSet(this.ctx, d, sets, true);
    if (!newRs) return;
    const olds = sets.filter((rs) => rs.metadata.uid !== newRs.metadata.uid);
    if (await reconcileNew(this.ctx, d, [...olds, newRs], newRs)) return;
    if (await reconcileOld(this.ctx, d, olds, newRs)) return;
    const status = calculateStatus(d, [...olds, newRs], newRs, this.ctx.clock.now());
    if (isComplete(d, status)) await cleanupOldReplicaSets(this.ctx, d, olds);
  }

  /** Recreate: every old ReplicaSet to 0, wait until their pods are gone, then the new one to replicas. */
  private async recreate(d: Deployment, sets: readonly ReplicaSet[]): Promise<void> {
    const existingNew = findNewReplicaSet(d, sets);
    const olds = sets.filter((rs) => rs !== existingNew);
    let scaledDown = false;
    for (const rs of olds.filter((r) => specReplicas(r) > 0)) {
      await scaleReplicaSet(this.ctx, d, rs, 0);
      scaledDown = true;
    }
    if (scaledDown) return;
    const oldUids = new Set(olds.map((rs) => rs.metadata.uid));
    const oldPodsRunning = this.ctx.pods
      .list(d.metadata.namespace ?? 'default')
      .some((p) => oldUids.has(controllerOf(p.pod.metadata)?.uid) && p.phase !== 'Succeeded' && p.phase !== 'Failed');
    if (oldPodsRunning) return;
    const newRs = await newReplicaSet(this.ctx, d, sets, true);
    if (!newRs) return;
    if (specReplicas(newRs) !== (d.spec.replicas ?? 1)) await scaleReplicaSet(this.ctx, d, newRs, d.spec.replicas ?? 1);
    const status = calculateStatus(d, [...olds, newRs], newRs, this.ctx.clock.now());
    if (isComplete(d, status)) await cleanupOldReplicaSets(this.ctx, d, olds);
  }

  /** Status from the ReplicaSets as they now are; with `rollout`, the Progressing condition too. */
  private async writeStatus(before: Deployment, rollout: boolean): Promise<SyncResult | void> {
    const key = keyOfObject(before);
    const d = this.ctx.store.get<Deployment>(key);
    if (!d) return;
    const sets = this.ctx.store.list<ReplicaSet>('ReplicaSet', d.metadata.namespace ?? 'default').filter((rs) => isControlledBy(rs.metadata, d));
    const newRs = findNewReplicaSet(d, sets);
    const now = this.ctx.clock.now();
    const { status, requeueAfterMs } = rollout
      ? rolloutStatus(d, sets, newRs, now)
      : { status: calculateStatus(d, sets, newRs, now), requeueAfterMs: undefined };
    if (JSON.stringify(status) !== JSON.stringify(d.status)) await this.ctx.store.updateStatus<Deployment>(key, status);
    return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
  }
}
