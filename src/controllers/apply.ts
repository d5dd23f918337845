// `peapod apply -f` of a whole app and `peapod delete`: core objects go to the pod manager, the kinds
// of kube/kinds/ to the object store. A directory's objects are applied in dependency order (ConfigMaps
// and Secrets, PersistentVolumes, claims, Services, workloads, then bare Pods), whatever their files'
// order, so each finds what it refers to.
import { PeapodError } from '../common/errors.js';
import { groupOf, kindInfo } from '../kube/kinds/index.js';
import { isCoreObject, type ManifestObject } from '../kube/manifest-object.js';
import type { KubeObject } from '../kube/types.js';
import type { ApplyResult, PodManager } from '../kubelet/manager.js';
import type { ApiObjectStore, PropagationPolicy } from './store/object-store.js';

const CORE_ORDER: Readonly<Record<string, number>> = { ConfigMap: 10, Secret: 10, Pod: 100 };

export function applyOrder(object: ManifestObject): number {
  return CORE_ORDER[object.kind] ?? kindInfo(object.kind)?.applyOrder ?? 100;
}

/** kubectl's `<resource>.<group>` prefix of apply/delete output: `deployment.apps`, `service`. */
export function resourceWord(kind: string): string {
  const info = kindInfo(kind);
  if (!info) return kind.toLowerCase();
  const group = groupOf(info);
  return group ? `${info.singular}.${group}` : info.singular;
}

export class ObjectApplier {
  constructor(
    private readonly pods: PodManager,
    private readonly store: ApiObjectStore,
  ) {}

  async apply(objects: readonly ManifestObject[], options: { force: boolean }): Promise<ApplyResult[]> {
    const ordered = objects.map((o, i) => ({ o, i })).sort((a, b) => applyOrder(a.o) - applyOrder(b.o) || a.i - b.i);
    const results: ApplyResult[] = [];
    let core: KubeObject[] = [];
    const flushCore = async (): Promise<void> => {
      if (core.length > 0) results.push(...(await this.pods.apply(core, options)));
      core = [];
    };
    for (const { o } of ordered) {
      if (isCoreObject(o)) {
        core.push(o);
        continue;
      }
      await flushCore();
      const action = await this.store.apply(o);
      results.push({ kind: resourceWord(o.kind), namespace: o.metadata.namespace ?? '', name: o.metadata.name, action });
    }
    await flushCore();
    return results;
  }

  /** Deletes an object of a kube/kinds/ kind with the propagation policy (kubectl's default: Background). */
  async delete(kind: string, namespace: string, name: string, policy: PropagationPolicy = 'Background'): Promise<boolean> {
    const info = kindInfo(kind);
    if (!info) throw new PeapodError('InvalidArgument', `the server doesn't have a resource type "${kind}"`);
    return this.store.delete({ kind, namespace: info.namespaced ? namespace : '', name }, policy);
  }
}

export function parsePropagationPolicy(value: string | null | undefined): PropagationPolicy {
  if (value === null || value === undefined || value === '' || value === 'Background') return 'Background';
  if (value === 'Foreground' || value === 'Orphan') return value;
  throw new PeapodError(
    'InvalidArgument',
    `propagationPolicy: Unsupported value: ${JSON.stringify(value)}: supported values: "Background", "Foreground", "Orphan"`,
  );
}
