// The pod manager's API types: what a pod looks like to its readers, what apply reports, what it is built from.
import type { Pod, PodStatus } from '../kube/types.js';
import type { ImageService } from '../image/types.js';
import type { RuntimeService } from '../runtime/service.js';
import type { ConvertContext } from './convert.js';
import type { LogRotationSettings } from './log-rotation.js';
import type { PodSource } from './pod-record.js';
import type { VolumeHostOps } from './volumes/host-ops.js';
import type { ClaimVolume } from './volumes/setup.js';

export interface PodView {
  readonly pod: Pod & { readonly status: PodStatus };
  readonly displayStatus: string;
  /** 'cri': a sandbox created through the CRI endpoint, owned by no pod record. */
  readonly source: PodSource | 'cri';
  readonly sandboxId?: string;
}

export type ApplyAction = 'created' | 'configured' | 'unchanged' | 'replaced';

export interface ApplyResult {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly action: ApplyAction;
}

export interface PodManagerDeps {
  readonly root: string;
  readonly runtime: RuntimeService;
  readonly images: ImageService;
  readonly ctx: ConvertContext;
  readonly volumeOps: VolumeHostOps;
  readonly now?: () => Date;
  readonly log: (message: string) => void;
  /** Rotate the logs of this manager's pods (the CRI's pods are rotated by their kubelet). */
  readonly logRotation?: LogRotationSettings;
  /** A claim's bound volume directory, for pods with persistentVolumeClaim volumes. */
  readonly claimVolume?: (namespace: string, claimName: string) => ClaimVolume;
}
