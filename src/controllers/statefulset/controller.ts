// The StatefulSet controller: reads the set, its pods (by controller reference), its claims and its
// revisions from the stores, asks planStatefulSet what to do, does it and writes the status. Everything
// it decides on is stored (pods, claims, ControllerRevisions, status.currentRevision), so a daemon killed
// mid-scale or mid-update resumes from what exists.
import { PeapodError, errorMessage } from '../../common/errors.js';
import { faultPoint } from '../../common/fault.js';
import type { PersistentVolumeClaim, StatefulSet } from '../../kube/stateful-types.js';
import type { Controller, ControllerContext, SyncResult, WatchedChange } from '../controller.js';
import { controllerOf, controllerRef, withControllerRef } from '../owners.js';
import { isAvailable, type ControlledPod } from '../pods.js';
import { selectorMatches } from '../../kube/label-selector.js';
import type { ObjectKey } from '../store/object-store.js';
import { REVISION_LABEL, ordinalOf, statefulClaim, statefulPod } from './identity.js';
import { planStatefulSet, type MemberPod, type StatefulSetAction } from './plan.js';
import { ensureRevision, pruneRevisions, templateOfRevision } from '../revisions.js';

const KIND = 'StatefulSet';

export function statefulSetController(ctx: ControllerContext): Controller {
  return {
    name: 'statefulset',
    kind: KIND,
    owns: ['Pod', 'PersistentVolumeClaim'],
    // A claim named <template>-<set>-<n> that was deleted by hand is re-created for a live pod.
    watches: [{ kind: 'PersistentVolumeClaim', map: (change) => setsNamingClaim(ctx, change) }],
    sync: (key) => syncStatefulSet(ctx, key),
  };
}

function setsNamingClaim(ctx: ControllerContext, change: WatchedChange): ObjectKey[] {
  const namespace = change.metadata.namespace ?? 'default';
  return ctx.store
    .list<StatefulSet>(KIND, namespace)
    .filter((set) => (set.spec.volumeClaimTemplates ?? []).some((t) => change.metadata.name.startsWith(`${t.metadata.name}-${set.metadata.name}-`)))
    .map((set) => ({ kind: KIND, namespace, name: set.metadata.name }));
}

async function syncStatefulSet(ctx: ControllerContext, key: ObjectKey): Promise<SyncResult | void> {
  const set = ctx.store.get<StatefulSet>(key);
  // Gone or going: the garbage collector removes its pods (and, whenDeleted: Delete, its claims).
  if (!set || set.metadata.deletionTimestamp !== undefined) return;
  const namespace = set.metadata.namespace ?? 'default';
  const pods = await ownedPods(ctx, set);
  const updateRevision = await ensureRevision(ctx.store, set, set.spec.template, set.spec.selector);
  const stored = set.status?.currentRevision;
  const currentRevision = stored !== undefined && templateOfRevision(ctx.store, namespace, stored) ? stored : updateRevision;
  const claims = new Set(ctx.store.list<PersistentVolumeClaim>('PersistentVolumeClaim', namespace).map((c) => c.metadata.name));
  const now = ctx.clock.now();
  const minReady = set.spec.minReadySeconds ?? 0;
  const members = pods.map((p) => ({ ...memberOf(p), available: isAvailable(p, minReady, now) }));
  const plan = planStatefulSet({ set, pods: members, claims, currentRevision, updateRevision });
  for (const action of plan.actions) await act(ctx, set, action);
  const status = { ...plan.status, ...(set.status?.collisionCount !== undefined ? { collisionCount: set.status.collisionCount } : {}) };
  if (JSON.stringify(status) !== JSON.stringify(set.status)) await ctx.store.updateStatus<StatefulSet>(key, status);
  const inUse = new Set([status.currentRevision ?? updateRevision, updateRevision, ...pods.map((p) => p.pod.metadata.labels?.[REVISION_LABEL] ?? '')]);
  await pruneRevisions(ctx.store, set, inUse, set.spec.revisionHistoryLimit);
  // Ready but not yet minReadySeconds old: come back when it counts as available.
  const due = pods.filter((p) => p.ready && !p.terminating && !isAvailable(p, minReady, now) && p.readySince !== undefined);
  if (due.length > 0) return { requeueAfterMs: Math.max(0, Math.min(...due.map((p) => (p.readySince?.getTime() ?? 0) + minReady * 1000 - now.getTime()))) };
}

/** The set's pods: those it controls, plus orphans with a member's name that its selector matches (adopted). */
async function ownedPods(ctx: ControllerContext, set: StatefulSet): Promise<ControlledPod[]> {
  const out: ControlledPod[] = [];
  for (const pod of ctx.pods.list(set.metadata.namespace ?? 'default')) {
    const owner = controllerOf(pod.pod.metadata);
    if (owner?.uid === set.metadata.uid) out.push(pod);
    else if (
      !owner &&
      !pod.terminating &&
      ordinalOf(set.metadata.name, pod.pod.metadata.name) !== undefined &&
      selectorMatches(set.spec.selector, pod.pod.metadata.labels)
    ) {
      await ctx.pods.updateMetadata(pod.uid, (m) => withControllerRef(m, set));
      out.push(pod);
    }
  }
  return out;
}

function memberOf(pod: ControlledPod): MemberPod {
  return { name: pod.pod.metadata.name, revision: pod.pod.metadata.labels?.[REVISION_LABEL], phase: pod.phase, ready: pod.ready, terminating: pod.terminating };
}

async function act(ctx: ControllerContext, set: StatefulSet, action: StatefulSetAction): Promise<void> {
  const namespace = set.metadata.namespace ?? 'default';
  const setName = set.metadata.name;
  switch (action.kind) {
    case 'createClaim': {
      try {
        await ctx.store.create(statefulClaim(set, action.ordinal, action.template));
        faultPoint('statefulset.claim-created');
        ctx.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${action.name} Pod ${setName}-${action.ordinal} in StatefulSet ${setName} success`);
      } catch (err) {
        if (!(err instanceof PeapodError && err.code === 'AlreadyExists')) {
          ctx.event(
            set,
            'Warning',
            'FailedCreate',
            `create Claim ${action.name} for Pod ${setName}-${action.ordinal} in StatefulSet ${setName} failed error: ${errorMessage(err)}`,
          );
          throw err;
        }
      }
      return;
    }
    case 'createPod': {
      const template = templateOfRevision(ctx.store, namespace, action.revision) ?? set.spec.template;
      const pod = statefulPod(set, action.ordinal, action.revision, template);
      try {
        await ctx.pods.create(
          namespace,
          { metadata: { labels: pod.metadata.labels ?? {}, ...(pod.metadata.annotations ? { annotations: pod.metadata.annotations } : {}) }, spec: pod.spec },
          {
            name: action.name,
            owner: controllerRef(set),
          },
        );
        faultPoint('statefulset.pod-created');
        ctx.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${action.name} in StatefulSet ${setName} successful`);
      } catch (err) {
        ctx.event(set, 'Warning', 'FailedCreate', `create Pod ${action.name} in StatefulSet ${setName} failed error: ${errorMessage(err)}`);
        throw err;
      }
      return;
    }
    case 'deletePod':
      await ctx.pods.delete(namespace, action.name);
      ctx.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${action.name} in StatefulSet ${setName} successful`);
      return;
    case 'deleteClaim':
      await ctx.store.delete({ kind: 'PersistentVolumeClaim', namespace, name: action.name });
      ctx.event(set, 'Normal', 'SuccessfulDelete', `delete Claim ${action.name} in StatefulSet ${setName} successful`);
      return;
  }
}
