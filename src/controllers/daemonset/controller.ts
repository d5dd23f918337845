// The DaemonSet controller on the one node there is: reads the set and its pods, asks planDaemonSet
// what to do, does it and writes the status. A pod that is ready but not yet available (minReadySeconds)
// brings the set back when it will be.
import { errorMessage } from '../../common/errors.js';
import { faultPoint } from '../../common/fault.js';
import type { DaemonSet } from '../../kube/stateful-types.js';
import type { Controller, ControllerContext, SyncResult } from '../controller.js';
import { controllerOf, controllerRef, withControllerRef } from '../owners.js';
import { isAvailable, type ControlledPod } from '../pods.js';
import { selectorMatches } from '../../kube/label-selector.js';
import type { ObjectKey } from '../store/object-store.js';
import { REVISION_LABEL, templateHash } from '../statefulset/identity.js';
import { ensureRevision, pruneRevisions, revisionNameOf } from '../revisions.js';
import { thisNode } from './this-node.js';
import { planDaemonSet, type DaemonPod } from './plan.js';
import { daemonPodPrefix, daemonPodTemplate } from './pod.js';

const KIND = 'DaemonSet';

export function daemonSetController(ctx: ControllerContext): Controller {
  return { name: 'daemonset', kind: KIND, owns: ['Pod'], sync: (key) => syncDaemonSet(ctx, key) };
}

async function syncDaemonSet(ctx: ControllerContext, key: ObjectKey): Promise<SyncResult | void> {
  const ds = ctx.store.get<DaemonSet>(key);
  if (!ds || ds.metadata.deletionTimestamp !== undefined) return;
  const namespace = ds.metadata.namespace ?? 'default';
  const node = thisNode();
  const now = ctx.clock.now();
  const minReady = ds.spec.minReadySeconds ?? 0;
  const hash = templateHash(ds.spec.template);
  await ensureRevision(ctx.store, ds, ds.spec.template, ds.spec.selector);
  const pods = await ownedPods(ctx, ds);
  const views: DaemonPod[] = pods.map((p) => ({
    name: p.pod.metadata.name,
    revision: p.pod.metadata.labels?.[REVISION_LABEL],
    phase: p.phase,
    ready: p.ready,
    available: isAvailable(p, minReady, now),
    terminating: p.terminating,
    createdAt: p.pod.metadata.creationTimestamp ?? '',
  }));
  const plan = planDaemonSet(ds, node, views, hash);
  for (const action of plan.actions) {
    if (action.kind === 'deletePod') {
      await ctx.pods.delete(namespace, action.name);
      faultPoint('daemonset.pod-deleted');
      ctx.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${action.name}`);
      continue;
    }
    try {
      const created = await ctx.pods.create(namespace, daemonPodTemplate(ds, hash, node.name), {
        generateName: daemonPodPrefix(ds),
        owner: controllerRef(ds),
      });
      ctx.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (err) {
      ctx.event(ds, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
      throw err;
    }
  }
  if (plan.misfit !== undefined && views.length === 0 && ds.status?.desiredNumberScheduled !== 0)
    ctx.log(`daemonset ${namespace}/${ds.metadata.name}: ${plan.misfit}`);
  if (JSON.stringify(plan.status) !== JSON.stringify(ds.status)) await ctx.store.updateStatus<DaemonSet>(key, plan.status);
  const inUse = new Set([revisionNameOf(ds, ds.spec.template), ...pods.map((p) => `${ds.metadata.name}-${p.pod.metadata.labels?.[REVISION_LABEL] ?? ''}`)]);
  await pruneRevisions(ctx.store, ds, inUse, ds.spec.revisionHistoryLimit);
  // Ready but not yet minReadySeconds old: come back when it becomes available.
  const waiting = pods.filter((p) => p.ready && !p.terminating && !isAvailable(p, minReady, now) && p.readySince !== undefined);
  if (waiting.length > 0) {
    const due = Math.min(...waiting.map((p) => (p.readySince?.getTime() ?? now.getTime()) + minReady * 1000 - now.getTime()));
    return { requeueAfterMs: Math.max(0, due) };
  }
}

async function ownedPods(ctx: ControllerContext, ds: DaemonSet): Promise<ControlledPod[]> {
  const out: ControlledPod[] = [];
  for (const pod of ctx.pods.list(ds.metadata.namespace ?? 'default')) {
    const owner = controllerOf(pod.pod.metadata);
    if (owner?.uid === ds.metadata.uid) out.push(pod);
    else if (!owner && !pod.terminating && selectorMatches(ds.spec.selector, pod.pod.metadata.labels)) {
      await ctx.pods.updateMetadata(pod.uid, (m) => withControllerRef(m, ds));
      out.push(pod);
    }
  }
  return out;
}
