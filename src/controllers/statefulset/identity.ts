// A StatefulSet pod's stable identity: its name `<set>-<ordinal>`, its claims `<template>-<set>-<ordinal>`,
// its labels, hostname and subdomain, and the revision of the template it was made from (the
// controller's newStatefulSetPod, updateIdentity and updateStorage; the concept page's "Pod Identity").
import { createHash } from 'node:crypto';
import type { Pod, Volume } from '../../kube/types.js';
import type { OwnerReference, PersistentVolumeClaim, PodTemplateSpec, StatefulSet } from '../../kube/stateful-types.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';

const ORDINAL = /^(0|[1-9][0-9]{0,8})$/;

export const podNameFor = (set: StatefulSet, ordinal: number): string => `${set.metadata.name}-${ordinal}`;

/** The ordinal of a pod named `<set>-<n>`; undefined for any other name. */
export function ordinalOf(setName: string, podName: string): number | undefined {
  if (!podName.startsWith(`${setName}-`)) return undefined;
  const tail = podName.slice(setName.length + 1);
  return ORDINAL.test(tail) ? Number(tail) : undefined;
}

/** The claim names of an ordinal, one per volumeClaimTemplate, in template order. */
export function claimNamesFor(set: StatefulSet, ordinal: number): string[] {
  return (set.spec.volumeClaimTemplates ?? []).map((t) => `${t.metadata.name}-${set.metadata.name}-${ordinal}`);
}

export function ownerReferenceTo(set: {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly uid?: string };
}): OwnerReference {
  return { apiVersion: set.apiVersion, kind: set.kind, name: set.metadata.name, uid: set.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** k8s.io/apimachinery's rand.SafeEncodeString alphabet: no vowels (no words), no 0/1/3 (no look-alikes). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A short, stable hash of a pod template, rendered like the controllers' revision hashes. */
export function templateHash(template: PodTemplateSpec, collisionCount = 0): string {
  const digest = createHash('sha256').update(JSON.stringify(template)).update(String(collisionCount)).digest();
  let out = '';
  for (let i = 0; i < 10; i++) out += SAFE_ALPHABET[(digest[i] ?? 0) % SAFE_ALPHABET.length];
  return out;
}

/** The name of the revision a StatefulSet's template gives (a ControllerRevision's name, and the pods' label). */
export const revisionName = (set: StatefulSet, template: PodTemplateSpec = set.spec.template): string => `${set.metadata.name}-${templateHash(template)}`;

/** The pod of one ordinal, from the template of the given revision. */
export function statefulPod(set: StatefulSet, ordinal: number, revision: string, template: PodTemplateSpec): Pod {
  const name = podNameFor(set, ordinal);
  const claims = claimNamesFor(set, ordinal);
  const templates = set.spec.volumeClaimTemplates ?? [];
  // A claim template replaces a template volume of the same name (updateStorage).
  const claimVolumes: Volume[] = templates.map((t, i) => ({ name: t.metadata.name, persistentVolumeClaim: { claimName: claims[i] ?? '' } }));
  const volumes = [...(template.spec.volumes ?? []).filter((v) => !templates.some((t) => t.metadata.name === v.name)), ...claimVolumes];
  const serviceName = set.spec.serviceName;
  const metadata = {
    name,
    namespace: set.metadata.namespace ?? 'default',
    labels: { ...template.metadata?.labels, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_LABEL]: revision },
    ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
    ownerReferences: [ownerReferenceTo(set)],
  };
  const spec = {
    ...template.spec,
    hostname: name,
    ...(serviceName ? { subdomain: serviceName } : {}),
    ...(volumes.length > 0 ? { volumes } : {}),
  };
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/** The claim of one template and ordinal: the set's selector labels, owned by the set when whenDeleted is Delete. */
export function statefulClaim(set: StatefulSet, ordinal: number, templateIndex: number): PersistentVolumeClaim {
  const template = set.spec.volumeClaimTemplates?.[templateIndex];
  if (!template) throw new RangeError(`no volumeClaimTemplates[${templateIndex}]`);
  const name = claimNamesFor(set, ordinal)[templateIndex] ?? '';
  const ownedBySet = set.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete';
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name,
      namespace: set.metadata.namespace ?? 'default',
      labels: { ...template.metadata.labels, ...set.spec.selector.matchLabels },
      ...(template.metadata.annotations ? { annotations: template.metadata.annotations } : {}),
      ...(ownedBySet ? { ownerReferences: [ownerReferenceTo(set)] } : {}),
    },
    spec: template.spec,
  };
}
