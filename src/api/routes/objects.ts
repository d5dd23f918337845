// Routes for the kinds of kube/kinds/ (Deployments, Services, ...): list, get, describe (the object,
// its events and what it controls), delete with a propagation policy, and the scale subresource.
import type { ApiRouter } from '../server.js';
import { PeapodError } from '../../common/errors.js';
import { kindForResource, type ApiObject, type KindInfo } from '../../kube/kinds/index.js';
import { parsePropagationPolicy, type ObjectApplier } from '../../controllers/apply.js';
import { isControlledBy } from '../../controllers/owners.js';
import type { ApiObjectStore, ObjectKey } from '../../controllers/store/object-store.js';
import type { ObjectEvent } from '../../controllers/store/record.js';
import type { RollbackResult } from '../../controllers/deployment/rollback.js';

export type { RollbackResult };
import type { PodManager, PodView } from '../../kubelet/manager.js';
import type { Pod } from '../../kube/types.js';

export interface ObjectList {
  readonly kind: string;
  readonly items: readonly ApiObject[];
}

export interface ObjectDescribeResult {
  readonly object: ApiObject;
  readonly events: readonly ObjectEvent[];
  /** Objects this one controls (a Deployment's ReplicaSets), and its pods. */
  readonly owned: readonly ApiObject[];
  readonly pods: readonly PodView[];
}

export interface RollbackRequest {
  /** 0: the previous revision. */
  readonly toRevision?: number;
}

export interface ScaleRequest {
  readonly replicas: number;
}

function infoOf(resource: string | undefined): KindInfo {
  const info = kindForResource(resource ?? '');
  if (!info) throw new PeapodError('InvalidArgument', `the server doesn't have a resource type "${resource ?? ''}"`);
  return info;
}

function keyOf(info: KindInfo, params: Readonly<Record<string, string>>): ObjectKey {
  return { kind: info.kind, namespace: info.namespaced ? (params['namespace'] ?? 'default') : '', name: params['name'] ?? '' };
}

function getOrThrow(store: ApiObjectStore, info: KindInfo, key: ObjectKey): ApiObject {
  const object = store.get(key);
  if (!object) throw new PeapodError('NotFound', `${info.plural} "${key.name}" not found`);
  return object;
}

export function registerObjectRoutes(router: ApiRouter, store: ApiObjectStore, applier: ObjectApplier, pods: PodManager): void {
  router.json('GET', '/v1/objects/:resource', ({ params, query }): Promise<ObjectList> => {
    const info = infoOf(params['resource']);
    const namespace = query.get('all') === 'true' || !info.namespaced ? undefined : (query.get('namespace') ?? 'default');
    return Promise.resolve({ kind: info.kind, items: store.list(info.kind, namespace) });
  });

  router.json('GET', '/v1/namespaces/:namespace/objects/:resource/:name', ({ params }) => {
    const info = infoOf(params['resource']);
    return Promise.resolve(getOrThrow(store, info, keyOf(info, params)));
  });

  router.json('GET', '/v1/namespaces/:namespace/objects/:resource/:name/describe', ({ params }): Promise<ObjectDescribeResult> => {
    const info = infoOf(params['resource']);
    const key = keyOf(info, params);
    const object = getOrThrow(store, info, key);
    const owned = store.all().filter((o) => isControlledBy(o.metadata, object));
    const ownedPods = pods.pods
      .list()
      // A claim's pods are those that mount it (describe pvc's "Used By").
      .filter((r) => isControlledBy(r.pod.metadata, object) || (object.kind === 'PersistentVolumeClaim' && mountsClaim(r.pod, object)))
      .map((r) => pods.view(r));
    return Promise.resolve({ object, events: store.events(key), owned, pods: ownedPods });
  });

  router.json('DELETE', '/v1/namespaces/:namespace/objects/:resource/:name', async ({ params, query }) => {
    const info = infoOf(params['resource']);
    const key = keyOf(info, params);
    return { deleted: await applier.delete(info.kind, key.namespace, key.name, parsePropagationPolicy(query.get('propagationPolicy'))) };
  });

  router.json('PUT', '/v1/namespaces/:namespace/objects/:resource/:name/scale', async ({ params, body }) => {
    const info = infoOf(params['resource']);
    const replicas = (body as Partial<ScaleRequest> | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
      throw new PeapodError('InvalidArgument', `--replicas: ${JSON.stringify(replicas)}: must be a non-negative integer`);
    const spec = (store.get(keyOf(info, params)) ?? getOrThrow(store, info, keyOf(info, params))).spec;
    if (typeof spec !== 'object' || spec === null || !('replicas' in spec) || !['Deployment', 'ReplicaSet', 'StatefulSet'].includes(info.kind))
      throw new PeapodError('InvalidArgument', `${info.plural} cannot be scaled`);
    return store.update(keyOf(info, params), (o) => ({ ...o, spec: { ...(o.spec as object), replicas } }));
  });

  router.json('POST', '/v1/namespaces/:namespace/objects/deployments/:name/rollback', async ({ params, body }): Promise<RollbackResult> => {
    const toRevision = (body as Partial<RollbackRequest> | undefined)?.toRevision ?? 0;
    if (!Number.isInteger(toRevision) || toRevision < 0)
      throw new PeapodError('InvalidArgument', `--to-revision: ${JSON.stringify(toRevision)}: must be a non-negative integer`);
    // The deployment controller's code loads with its first Deployment (controllers/lazy.ts), this with the first undo.
    const { rollbackDeployment } = await import('../../controllers/deployment/rollback.js');
    return rollbackDeployment(store, { kind: 'Deployment', namespace: params['namespace'] ?? 'default', name: params['name'] ?? '' }, toRevision);
  });
}

function mountsClaim(pod: Pod, claim: ApiObject): boolean {
  return (
    (pod.metadata.namespace ?? 'default') === claim.metadata.namespace &&
    (pod.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim.metadata.name)
  );
}
