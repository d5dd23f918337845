// ControllerRevisions (apps/v1): the templates a StatefulSet or DaemonSet has had, one object per
// distinct template, named `<owner>-<hash>` and owned by the set (pkg/controller/history). A StatefulSet
// recreates a pod below its partition from the current revision's template, which is only stored here;
// old revisions no pod uses are pruned to revisionHistoryLimit (default 10).
import type { ApiObject } from '../kube/kinds/index.js';
import type { LabelSelector } from '../kube/label-selector.js';
import type { PodTemplateSpec } from '../kube/stateful-types.js';
import { controllerOf, controllerRef } from './owners.js';
import type { ApiObjectStore } from './store/object-store.js';
import { templateHash } from './statefulset/identity.js';
import { PeapodError } from '../common/errors.js';

export const REVISION_KIND = 'ControllerRevision';
/** The label a ControllerRevision carries with its hash (controller.kubernetes.io/hash). */
export const HASH_LABEL = 'controller.kubernetes.io/hash';
const DEFAULT_HISTORY_LIMIT = 10;

export interface ControllerRevision extends ApiObject {
  readonly apiVersion: 'apps/v1';
  readonly kind: 'ControllerRevision';
  readonly data: { readonly spec: { readonly template: PodTemplateSpec } };
  readonly revision: number;
}

type Owner = ApiObject & { readonly metadata: { readonly uid?: string } };

export const revisionNameOf = (owner: Owner, template: PodTemplateSpec): string => `${owner.metadata.name}-${templateHash(template)}`;

/** The owner's revisions, oldest first. */
export function revisionsOf(store: ApiObjectStore, owner: Owner): ControllerRevision[] {
  return store
    .list<ControllerRevision>(REVISION_KIND, owner.metadata.namespace ?? 'default')
    .filter((r) => controllerOf(r.metadata)?.uid === owner.metadata.uid)
    .sort((a, b) => a.revision - b.revision);
}

/** The revision of `template` (created, numbered after the newest, when new); returns its name. */
export async function ensureRevision(store: ApiObjectStore, owner: Owner, template: PodTemplateSpec, selector: LabelSelector): Promise<string> {
  const namespace = owner.metadata.namespace ?? 'default';
  const name = revisionNameOf(owner, template);
  if (store.get({ kind: REVISION_KIND, namespace, name })) return name;
  const newest = revisionsOf(store, owner).at(-1)?.revision ?? 0;
  const revision: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name, namespace, labels: { ...selector.matchLabels, [HASH_LABEL]: templateHash(template) }, ownerReferences: [controllerRef(owner)] },
    data: { spec: { template } },
    revision: newest + 1,
  };
  try {
    await store.create(revision);
  } catch (err) {
    if (!(err instanceof PeapodError && err.code === 'AlreadyExists')) throw err;
  }
  return name;
}

export function templateOfRevision(store: ApiObjectStore, namespace: string, name: string): PodTemplateSpec | undefined {
  return store.get<ControllerRevision>({ kind: REVISION_KIND, namespace, name })?.data.spec.template;
}

/** Drops the oldest revisions beyond the limit that are neither in use nor current nor the update's. */
export async function pruneRevisions(store: ApiObjectStore, owner: Owner, inUse: ReadonlySet<string>, limit = DEFAULT_HISTORY_LIMIT): Promise<void> {
  const spare = revisionsOf(store, owner).filter((r) => !inUse.has(r.metadata.name));
  for (const r of spare.slice(0, Math.max(0, spare.length - limit)))
    await store.delete({ kind: REVISION_KIND, namespace: r.metadata.namespace ?? 'default', name: r.metadata.name });
}
