// The local-path provisioner's decisions, without I/O: a claim of the `local-path` class (the default,
// and the only one) gets a PersistentVolume `pvc-<claim uid>` backed by a directory of that name, and is
// bound to it (the PV controller's dynamic provisioning and binding, pkg/controller/volume/persistentvolume,
// with rancher/local-path-provisioner's directory per volume). When the claim is gone the volume is
// reclaimed per its persistentVolumeReclaimPolicy: Delete removes the directory and the PV, Retain keeps
// both and marks the PV Released. The protection finalizers hold a claim while a pod uses it
// (kubernetes.io/pvc-protection) and a volume while its claim exists (kubernetes.io/pv-protection).
import { createHash } from 'node:crypto';
import type { PersistentVolume, PersistentVolumeClaim } from '../../kube/stateful-types.js';

export const LOCAL_PATH_CLASS = 'local-path';
export const PROVISIONER_NAME = 'peapod.io/local-path';
/** The annotations the PV controller writes on what it provisions and binds. */
export const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bind-completed';

export type ProvisionerAction =
  /** Make the directory, write the PV (Bound to the claim), then bind the claim to it. */
  | { readonly kind: 'provision'; readonly claim: PersistentVolumeClaim; readonly volume: PersistentVolume }
  /** The PV exists for this claim (a crash came between the two writes): bind the claim. */
  | { readonly kind: 'bind'; readonly claim: PersistentVolumeClaim; readonly volume: PersistentVolume }
  /** The claim cannot be provisioned: it stays Pending with this event. */
  | { readonly kind: 'pending'; readonly claim: PersistentVolumeClaim; readonly reason: string; readonly message: string }
  /** The claim's PV went away: the claim is Lost, as the PV controller marks it. */
  | { readonly kind: 'lost'; readonly claim: PersistentVolumeClaim; readonly message: string }
  /** Retain: the claim is gone, the PV and its directory stay, Released. */
  | { readonly kind: 'release'; readonly volume: PersistentVolume }
  /** Delete: the claim is gone and no pod uses the directory: remove it, then the PV. */
  | { readonly kind: 'reclaim'; readonly volume: PersistentVolume; readonly directory: string }
  /** A claim being deleted that no pod uses any more: its protection finalizer goes (and with it the claim). */
  | { readonly kind: 'unprotectClaim'; readonly claim: PersistentVolumeClaim }
  /** A volume being deleted whose claim is gone: its protection finalizer goes. */
  | { readonly kind: 'unprotectVolume'; readonly volume: PersistentVolume };

export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION = 'kubernetes.io/pv-protection';

export interface ProvisionerInput {
  readonly claims: readonly PersistentVolumeClaim[];
  readonly volumes: readonly PersistentVolume[];
  /** True while a pod that is not finished names the claim in a volume (the pvc-protection finalizer's check). */
  readonly claimInUse: (namespace: string, name: string) => boolean;
  readonly now: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `pvc-<uid>` as dynamic provisioning names volumes; a UID of any other shape is hashed, never used as a path. */
export function volumeNameFor(claimUid: string): string {
  const id = UUID.test(claimUid) ? claimUid : createHash('sha256').update(claimUid).digest('hex').slice(0, 32);
  return `pvc-${id}`;
}

/** A claim's class: unset means the default class, which is local-path. */
export const classOf = (claim: PersistentVolumeClaim): string => claim.spec.storageClassName ?? LOCAL_PATH_CLASS;

/** The directory a local-path PV stands for, from its name (never from its hostPath, which a user could write). */
export function directoryOf(volume: PersistentVolume): string | undefined {
  return volume.metadata.annotations?.[PROVISIONED_BY] === PROVISIONER_NAME ? volume.metadata.name : undefined;
}

export function planProvisioner(input: ProvisionerInput): ProvisionerAction[] {
  const actions: ProvisionerAction[] = [];
  const volumesByName = new Map(input.volumes.map((v) => [v.metadata.name, v]));
  const claimsByUid = new Map(input.claims.map((c) => [c.metadata.uid ?? '', c]));
  for (const claim of input.claims) {
    const namespace = claim.metadata.namespace ?? 'default';
    if (claim.metadata.deletionTimestamp !== undefined) {
      if (claim.metadata.finalizers?.includes(PVC_PROTECTION) && !input.claimInUse(namespace, claim.metadata.name))
        actions.push({ kind: 'unprotectClaim', claim });
      continue;
    }
    const action = planClaim(claim, volumesByName, input.now);
    if (action) actions.push(action);
  }
  for (const volume of input.volumes) {
    const ref = volume.spec.claimRef;
    const claim = ref ? claimsByUid.get(ref.uid) : undefined;
    if (claim) continue;
    if (volume.metadata.deletionTimestamp !== undefined && volume.metadata.finalizers?.includes(PV_PROTECTION)) {
      actions.push({ kind: 'unprotectVolume', volume });
      continue;
    }
    const directory = directoryOf(volume);
    if (!ref || directory === undefined) continue;
    // Belt and braces behind pvc-protection: data is never removed while a pod names the claim.
    if (input.claimInUse(ref.namespace, ref.name)) continue;
    if ((volume.spec.persistentVolumeReclaimPolicy ?? 'Delete') === 'Delete') actions.push({ kind: 'reclaim', volume, directory });
    else if (volume.status?.phase !== 'Released') actions.push({ kind: 'release', volume });
  }
  return actions;
}

function planClaim(claim: PersistentVolumeClaim, volumes: ReadonlyMap<string, PersistentVolume>, now: Date): ProvisionerAction | undefined {
  const bound = claim.spec.volumeName;
  if (bound !== undefined && bound !== '') {
    const volume = volumes.get(bound);
    if (!volume) return claim.status?.phase === 'Lost' ? undefined : { kind: 'lost', claim, message: `Bound claim has lost its PersistentVolume ${bound}` };
    return claim.status?.phase === 'Bound' ? undefined : { kind: 'bind', claim, volume };
  }
  const name = volumeNameFor(claim.metadata.uid ?? '');
  const existing = volumes.get(name);
  if (existing) return { kind: 'bind', claim, volume: existing };
  const problem = unsupported(claim);
  // Repeated every pass, as the PV controller repeats its event (events fold repeats into a count).
  if (problem) return { kind: 'pending', claim, ...problem };
  return { kind: 'provision', claim, volume: volumeFor(claim, name, now) };
}

function unsupported(claim: PersistentVolumeClaim): { reason: string; message: string } | undefined {
  const cls = classOf(claim);
  if (cls === '')
    return {
      reason: 'FailedBinding',
      message: 'no persistent volumes available for this claim and no storage class is set (peapod binds claims only through the local-path class)',
    };
  if (cls !== LOCAL_PATH_CLASS)
    return { reason: 'ProvisioningFailed', message: `storageclass.storage.k8s.io "${cls}" not found (this host has one class: ${LOCAL_PATH_CLASS})` };
  if (claim.spec.volumeMode === 'Block')
    return { reason: 'ProvisioningFailed', message: `the ${LOCAL_PATH_CLASS} class provisions volumeMode Filesystem only` };
  if (claim.spec.selector !== undefined) return { reason: 'ProvisioningFailed', message: 'claims with a selector cannot be dynamically provisioned' };
  return undefined;
}

export function volumeFor(claim: PersistentVolumeClaim, name: string, now: Date): PersistentVolume {
  const storage = claim.spec.resources?.requests?.['storage'];
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name,
      annotations: { [PROVISIONED_BY]: PROVISIONER_NAME },
      finalizers: [PV_PROTECTION],
      creationTimestamp: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    },
    spec: {
      ...(storage !== undefined ? { capacity: { storage } } : {}),
      accessModes: claim.spec.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: reclaimPolicyOf(claim),
      storageClassName: LOCAL_PATH_CLASS,
      volumeMode: 'Filesystem',
      claimRef: { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace ?? 'default', name: claim.metadata.name, uid: claim.metadata.uid ?? '' },
    },
    status: { phase: 'Bound' },
  };
}

/** The annotation a claim may carry to keep its volume (the StorageClass's reclaimPolicy stands in for it). */
export const RECLAIM_POLICY_ANNOTATION = 'peapod.io/reclaim-policy';

/** Delete, as the local-path StorageClass's reclaimPolicy; a claim may ask for Retain with the annotation. */
function reclaimPolicyOf(claim: PersistentVolumeClaim): 'Delete' | 'Retain' {
  return claim.metadata.annotations?.[RECLAIM_POLICY_ANNOTATION] === 'Retain' ? 'Retain' : 'Delete';
}

/** The claim as bound to its volume: spec.volumeName, status Bound with the volume's capacity and access modes. */
export function boundClaim(claim: PersistentVolumeClaim, volume: PersistentVolume): PersistentVolumeClaim {
  return {
    ...claim,
    metadata: {
      ...claim.metadata,
      annotations: { ...claim.metadata.annotations, [BOUND_BY_CONTROLLER]: 'yes' },
      finalizers: [...(claim.metadata.finalizers ?? []).filter((f) => f !== PVC_PROTECTION), PVC_PROTECTION],
    },
    spec: { ...claim.spec, volumeName: volume.metadata.name, storageClassName: claim.spec.storageClassName ?? LOCAL_PATH_CLASS },
    status: {
      phase: 'Bound',
      accessModes: volume.spec.accessModes ?? claim.spec.accessModes ?? ['ReadWriteOnce'],
      ...(volume.spec.capacity ? { capacity: volume.spec.capacity } : {}),
    },
  };
}
