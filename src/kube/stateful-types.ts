// StatefulSet, DaemonSet (apps/v1) and PersistentVolumeClaim, PersistentVolume (v1), with the Kubernetes
// API's field names and optionality (k8s.io/api/apps/v1, k8s.io/api/core/v1). Only what peapod reads is typed.
import type { ApiObject } from './kinds/kind.js';
import type { LabelSelector } from './label-selector.js';
import type { ObjectMeta } from './types.js';
import type { PodTemplateSpec } from './kinds/apps.js';

export type { LabelSelector } from './label-selector.js';
export type { OwnerReference } from './types.js';
export type { PodTemplateSpec } from './kinds/apps.js';

export type PersistentVolumeAccessMode = 'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod';

export interface PersistentVolumeClaimSpec {
  readonly accessModes?: readonly PersistentVolumeAccessMode[];
  readonly storageClassName?: string;
  readonly volumeMode?: 'Filesystem' | 'Block';
  readonly volumeName?: string;
  readonly resources?: { readonly requests?: Readonly<Record<string, string>>; readonly limits?: Readonly<Record<string, string>> };
  readonly selector?: LabelSelector;
}

export interface PersistentVolumeClaimStatus {
  readonly phase?: 'Pending' | 'Bound' | 'Lost';
  readonly accessModes?: readonly PersistentVolumeAccessMode[];
  readonly capacity?: Readonly<Record<string, string>>;
}

export interface PersistentVolumeClaim extends ApiObject {
  readonly apiVersion: 'v1';
  readonly kind: 'PersistentVolumeClaim';
  readonly metadata: ObjectMeta;
  readonly spec: PersistentVolumeClaimSpec;
  readonly status?: PersistentVolumeClaimStatus;
}

export interface PersistentVolume extends ApiObject {
  readonly apiVersion: 'v1';
  readonly kind: 'PersistentVolume';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly capacity?: Readonly<Record<string, string>>;
    readonly accessModes?: readonly PersistentVolumeAccessMode[];
    readonly persistentVolumeReclaimPolicy?: 'Delete' | 'Retain' | 'Recycle';
    readonly storageClassName?: string;
    readonly volumeMode?: 'Filesystem' | 'Block';
    readonly hostPath?: { readonly path: string; readonly type?: string };
    readonly claimRef?: { readonly kind?: string; readonly namespace: string; readonly name: string; readonly uid: string };
  };
  readonly status?: { readonly phase?: 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed'; readonly message?: string };
}

export interface StatefulSetSpec {
  readonly replicas?: number;
  readonly selector: LabelSelector;
  readonly template: PodTemplateSpec;
  readonly serviceName?: string;
  readonly podManagementPolicy?: 'OrderedReady' | 'Parallel';
  readonly updateStrategy?: { readonly type?: 'RollingUpdate' | 'OnDelete'; readonly rollingUpdate?: { readonly partition?: number } };
  readonly volumeClaimTemplates?: readonly { readonly metadata: ObjectMeta; readonly spec: PersistentVolumeClaimSpec }[];
  readonly persistentVolumeClaimRetentionPolicy?: { readonly whenDeleted?: 'Retain' | 'Delete'; readonly whenScaled?: 'Retain' | 'Delete' };
  readonly minReadySeconds?: number;
  readonly revisionHistoryLimit?: number;
  readonly ordinals?: { readonly start?: number };
}

export interface StatefulSetStatus {
  readonly observedGeneration?: number;
  readonly replicas: number;
  readonly readyReplicas?: number;
  readonly currentReplicas?: number;
  readonly updatedReplicas?: number;
  readonly availableReplicas?: number;
  readonly currentRevision?: string;
  readonly updateRevision?: string;
  readonly collisionCount?: number;
}

export interface StatefulSet extends ApiObject {
  readonly apiVersion: 'apps/v1';
  readonly kind: 'StatefulSet';
  readonly metadata: ObjectMeta;
  readonly spec: StatefulSetSpec;
  readonly status?: StatefulSetStatus;
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: '' | 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  readonly tolerationSeconds?: number;
}

export interface DaemonSetSpec {
  readonly selector: LabelSelector;
  readonly template: PodTemplateSpec;
  readonly updateStrategy?: {
    readonly type?: 'RollingUpdate' | 'OnDelete';
    readonly rollingUpdate?: { readonly maxUnavailable?: number | string; readonly maxSurge?: number | string };
  };
  readonly minReadySeconds?: number;
  readonly revisionHistoryLimit?: number;
}

export interface DaemonSetStatus {
  readonly observedGeneration?: number;
  readonly desiredNumberScheduled: number;
  readonly currentNumberScheduled: number;
  readonly numberMisscheduled: number;
  readonly numberReady: number;
  readonly updatedNumberScheduled?: number;
  readonly numberAvailable?: number;
  readonly numberUnavailable?: number;
}

export interface DaemonSet extends ApiObject {
  readonly apiVersion: 'apps/v1';
  readonly kind: 'DaemonSet';
  readonly metadata: ObjectMeta;
  readonly spec: DaemonSetSpec;
  readonly status?: DaemonSetStatus;
}
