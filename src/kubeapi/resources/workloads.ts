// The kinds of the controllers' object store (Deployments, ReplicaSets, Services, ...) through the
// Kubernetes API: list, get, watch and delete (with its propagation policy), in their own API groups,
// so `kubectl get deploy,rs,svc` and `kubectl delete deploy x --cascade=foreground` work against peapod.
// Writes go through `peapod apply` for now.
import { KINDS, type KindInfo } from '../../kube/kinds/index.js';
import { parsePropagationPolicy } from '../../controllers/apply.js';
import type { Workloads } from '../../controllers/index.js';
import type { ResourceStore } from '../resource.js';
import type { KubeObj } from '../table.js';

const asObj = (o: unknown): KubeObj => o as KubeObj;

function storeOf(workloads: Workloads, info: KindInfo): ResourceStore {
  const key = (namespace: string, name: string): { kind: string; namespace: string; name: string } => ({
    kind: info.kind,
    namespace: info.namespaced ? namespace : '',
    name,
  });
  return {
    resource: info.plural,
    kind: info.kind,
    ...(info.apiVersion.includes('/') ? { groupVersion: info.apiVersion } : {}),
    namespaced: info.namespaced,
    shortNames: info.shortNames,
    verbs: ['delete', 'get', 'list', 'watch'],
    list: (namespace) => workloads.store.list(info.kind, info.namespaced ? namespace : undefined).map(asObj),
    get: (namespace, name) => {
      const o = workloads.store.get(key(namespace, name));
      return o ? asObj(o) : undefined;
    },
    async delete(namespace, name, options) {
      const k = key(namespace, name);
      if (!options.dryRun) await workloads.applier.delete(info.kind, k.namespace, name, parsePropagationPolicy(options.propagationPolicy));
      const after = workloads.store.get(k);
      return after ? asObj(after) : undefined;
    },
    onChange: (listener) => workloads.store.onChange((change) => change.key.kind === info.kind && listener()),
  };
}

export function workloadStores(workloads: Workloads): ResourceStore[] {
  return KINDS.map((info) => storeOf(workloads, info));
}
