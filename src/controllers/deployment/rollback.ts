// `rollout undo` as kubectl does it (kubectl/pkg/polymorphichelpers/rollback.go): the Deployment's pod
// template is set back to the template of the ReplicaSet of the wanted revision (the previous one by
// default), without its pod-template-hash label; the controller then rolls out to it, and that
// ReplicaSet becomes the newest revision.
import { PeapodError } from '../../common/errors.js';
import type { Deployment, ReplicaSet } from '../../kube/kinds/apps.js';
import { isControlledBy } from '../owners.js';
import type { ApiObjectStore, ObjectKey } from '../store/object-store.js';
import { CHANGE_CAUSE, revisionOf, templateWithoutHash, templatesEqual } from './util.js';

export interface RollbackResult {
  readonly rolledBack: boolean;
  /** The revision whose template the Deployment now has. */
  readonly revision: number;
}

/** The Deployment's ReplicaSets by revision, oldest first. */
export function revisionsOf(store: ApiObjectStore, d: Deployment): ReplicaSet[] {
  return store
    .list<ReplicaSet>('ReplicaSet', d.metadata.namespace ?? 'default')
    .filter((rs) => isControlledBy(rs.metadata, d))
    .sort((a, b) => revisionOf(a) - revisionOf(b));
}

export async function rollbackDeployment(store: ApiObjectStore, key: ObjectKey, toRevision: number): Promise<RollbackResult> {
  const d = store.get<Deployment>(key);
  if (!d) throw new PeapodError('NotFound', `deployments.apps "${key.name}" not found`);
  if (d.spec.paused === true)
    throw new PeapodError('FailedPrecondition', `you cannot rollback a paused deployment; resume it first with 'peapod rollout resume' and try again`);
  const history = revisionsOf(store, d);
  let target: ReplicaSet | undefined;
  if (toRevision === 0) {
    if (history.length < 2) throw new PeapodError('FailedPrecondition', `no rollout history found for deployment "${key.name}"`);
    target = history[history.length - 2];
  } else target = history.find((rs) => revisionOf(rs) === toRevision);
  if (!target) throw new PeapodError('NotFound', `unable to find specified revision ${toRevision} in history`);
  const revision = revisionOf(target);
  if (templatesEqual(target.spec.template, d.spec.template)) return { rolledBack: false, revision };
  const cause = target.metadata.annotations?.[CHANGE_CAUSE];
  await store.update<Deployment>(key, (c) => {
    const annotations: Record<string, string> = { ...(c.metadata.annotations ?? {}) };
    if (cause !== undefined) annotations[CHANGE_CAUSE] = cause;
    else delete annotations[CHANGE_CAUSE];
    return { ...c, metadata: { ...c.metadata, annotations }, spec: { ...c.spec, template: templateWithoutHash(target.spec.template) } };
  });
  return { rolledBack: true, revision };
}
