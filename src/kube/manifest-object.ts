// What a manifest may hold: the core objects the pod manager keeps (Pod, ConfigMap, Secret) or an
// object of a kind in kube/kinds/ (kept by the controllers' object store).
import { applyDefaults } from './defaults.js';
import { kindInfo, type ApiObject } from './kinds/index.js';
import type { KubeObject } from './types.js';

export type ManifestObject = KubeObject | ApiObject;

export function isCoreObject(object: ManifestObject): object is KubeObject {
  return object.kind === 'Pod' || object.kind === 'ConfigMap' || object.kind === 'Secret';
}

/**
 * A core object gets the API server's defaults here; a kind of kube/kinds/ only its namespace: its store
 * defaults it after merging an apply with what is stored (so a field the manifest leaves out, such as
 * `replicas` after a `scale`, keeps its stored value instead of being reset to its default).
 */
export function defaultManifestObject(object: ManifestObject): ManifestObject {
  if (isCoreObject(object)) return applyDefaults(object);
  const info = kindInfo(object.kind);
  if (!info) return object;
  return info.namespaced ? { ...object, metadata: { ...object.metadata, namespace: object.metadata.namespace ?? 'default' } } : object;
}
