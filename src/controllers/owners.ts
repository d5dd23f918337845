// ownerReferences as controllers use them (apimachinery's metav1.GetControllerOf / NewControllerRef and
// the ControllerRefManager's adopt/release rules).
import type { ApiObject } from '../kube/kinds/index.js';
import type { ObjectMeta, OwnerReference } from '../kube/types.js';

/** The managing owner (controller: true), if any. */
export function controllerOf(metadata: ObjectMeta): OwnerReference | undefined {
  return metadata.ownerReferences?.find((r) => r.controller === true);
}

/** A controller reference to `owner`, blocking its foreground deletion as the controllers set it. */
export function controllerRef(owner: ApiObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function isControlledBy(metadata: ObjectMeta, owner: ApiObject): boolean {
  return controllerOf(metadata)?.uid === owner.metadata.uid;
}

/** The metadata with `owner` as its controller (adoption); unchanged if another controller owns it. */
export function withControllerRef(metadata: ObjectMeta, owner: ApiObject): ObjectMeta {
  if (controllerOf(metadata)) return metadata;
  return { ...metadata, ownerReferences: [...(metadata.ownerReferences ?? []), controllerRef(owner)] };
}

/** The metadata without references to this owner UID (release, orphaning). */
export function withoutOwner(metadata: ObjectMeta, uid: string): ObjectMeta {
  const refs = (metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
  const { ownerReferences: _dropped, ...rest } = metadata;
  return refs.length > 0 ? { ...rest, ownerReferences: refs } : rest;
}
