// What a controller is to the controller manager: the kind it reconciles, the other kinds whose changes
// concern it, and a level-triggered sync of one object key (read everything from the stores, act,
// write status; never rely on the event that woke it).
import type { ApiObject } from '../kube/kinds/index.js';
import type { ObjectMeta } from '../kube/types.js';
import type { Clock } from './clock.js';
import type { PodClient } from './pods.js';
import type { ApiObjectStore, ChangeType, ObjectKey } from './store/object-store.js';

export interface SyncResult {
  /** Sync this key again after this long (a minReadySeconds, a back-off, a schedule, a deadline). */
  readonly requeueAfterMs?: number;
}

/** A change of an object of any kind, pods included (kind 'Pod'), as watches see it. */
export interface WatchedChange {
  readonly kind: string;
  readonly type: ChangeType;
  readonly metadata: ObjectMeta;
  /** The metadata before the change, when known (labels or owners may have moved). */
  readonly previous?: ObjectMeta;
  /** The object (ApiObject, or for a pod the ControlledPod). */
  readonly object: unknown;
}

export interface Watch {
  readonly kind: string;
  /** The keys of the controller's kind this change concerns. */
  map(change: WatchedChange): readonly ObjectKey[];
}

export interface Controller {
  readonly name: string;
  /** The kind of the keys it syncs; each change of such an object queues its key. */
  readonly kind: string;
  /**
   * Kinds (or 'Pod') whose objects this kind controls: a change of one queues its controlling owner
   * (ownerReference with controller: true) when that owner is of `kind`, before and after the change.
   */
  readonly owns?: readonly string[];
  /** Any other mapping (a Service's pods by selector, a PVC's StatefulSet by name). */
  readonly watches?: readonly Watch[];
  /** Syncs one key; an exception re-queues it with back-off. The object may be gone: then clean up. */
  sync(key: ObjectKey): Promise<SyncResult | void>;
}

/** What the controller manager hands every controller it builds. */
export interface ControllerContext {
  readonly store: ApiObjectStore;
  readonly pods: PodClient;
  readonly clock: Clock;
  readonly log: (message: string) => void;
  /** The daemon's state directory: a controller's own records (the Job controller's pod tracking) go under it. */
  readonly root: string;
  /** An event on an object (describe's Events). */
  event(object: ApiObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}
