// The controllers' view of the pods the pod manager keeps: listing with what a controller decides on
// (phase, readiness and since when, terminating), creating from a template with ownerReferences,
// deleting without waiting, and a change signal that fires only when something a controller cares
// about changed (created, deleted, phase, readiness, IP, labels, owners, termination) — not on every
// probe or log tick.
import { PeapodError } from '../common/errors.js';
import { applyDefaults } from '../kube/defaults.js';
import type { ObjectMeta, OwnerReference, Pod, PodStatus } from '../kube/types.js';
import type { PodManager } from '../kubelet/manager.js';
import type { PodRecord } from '../kubelet/pod-record.js';
import type { PodTemplateSpec } from '../kube/kinds/apps.js';
import type { Clock } from './clock.js';
import { randomSuffix, type ChangeType } from './store/object-store.js';

export interface ControlledPod {
  readonly uid: string;
  readonly pod: Pod & { readonly status: PodStatus };
  /** Deletion requested: the pod is terminating (a controller counts it as gone). */
  readonly terminating: boolean;
  readonly phase: NonNullable<PodStatus['phase']>;
  readonly ready: boolean;
  /** When this daemon first saw the pod ready (minReadySeconds counts from here; a restart restarts it). */
  readonly readySince?: Date;
}

export interface PodChange {
  readonly type: ChangeType;
  readonly pod: ControlledPod;
  /** The metadata before this change (a pod relabelled out of a selector notifies its old owner too). */
  readonly previous?: ObjectMeta;
}

/** Whether a pod counts as available: ready for minReadySeconds (the Deployment controller's rule). */
export function isAvailable(pod: ControlledPod, minReadySeconds: number, now: Date): boolean {
  if (!pod.ready || pod.terminating) return false;
  if (minReadySeconds <= 0) return true;
  return pod.readySince !== undefined && now.getTime() - pod.readySince.getTime() >= minReadySeconds * 1000;
}

/** Active: neither terminating nor finished (Succeeded/Failed) — what a ReplicaSet counts. */
export const isActive = (pod: ControlledPod): boolean => !pod.terminating && pod.phase !== 'Succeeded' && pod.phase !== 'Failed';

const MAX_NAME_ATTEMPTS = 5;

/** What the pod client uses of the pod manager (a unit test can hand it a stand-in). */
export type PodManagerPort = Pick<PodManager, 'pods' | 'view' | 'onChange' | 'apply' | 'find' | 'delete' | 'updateMetadata'>;

/** A pod as the garbage collector sees it. */
export type PodMetadataEntry = Pick<ControlledPod, 'uid' | 'terminating'> & { readonly metadata: ObjectMeta };

export class PodClient {
  private readonly summaries = new Map<string, string>();
  private readonly known = new Map<string, ControlledPod>();
  private readonly readySince = new Map<string, Date>();
  private readonly listeners = new Set<(change: PodChange) => void>();
  private off: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly manager: PodManagerPort,
    private readonly clock: Clock,
  ) {}

  /** Starts listening to the pod manager (and takes note of every pod there is). */
  start(): void {
    for (const record of this.manager.pods.list()) this.observe(record.id);
    this.off = this.manager.onChange((uid) => this.observe(uid));
  }

  /** Stops listening, and refuses any pod creation or change from now on: a stopping daemon starts nothing new. */
  stop(): void {
    this.stopped = true;
    this.off?.();
  }

  private assertRunning(): void {
    if (this.stopped) throw new PeapodError('Unavailable', 'the controllers are stopping');
  }

  onChange(listener: (change: PodChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private toControlled(record: PodRecord): ControlledPod {
    const view = this.manager.view(record);
    const ready = view.pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
    const since = this.readySince.get(record.id);
    return {
      uid: record.id,
      pod: view.pod,
      terminating: record.deletion !== undefined,
      phase: view.pod.status.phase ?? 'Pending',
      ready,
      ...(ready && since ? { readySince: since } : {}),
    };
  }

  private observe(uid: string): void {
    const record = this.manager.pods.get(uid);
    const before = this.known.get(uid);
    if (!record) {
      if (!before) return;
      this.known.delete(uid);
      this.summaries.delete(uid);
      this.readySince.delete(uid);
      this.emit({ type: 'deleted', pod: before, previous: before.pod.metadata });
      return;
    }
    let pod = this.toControlled(record);
    if (pod.ready && !this.readySince.has(uid)) {
      this.readySince.set(uid, this.clock.now());
      pod = this.toControlled(record);
    } else if (!pod.ready) this.readySince.delete(uid);
    const summary = JSON.stringify([pod.phase, pod.ready, pod.terminating, pod.pod.status.podIP, pod.pod.metadata.labels, pod.pod.metadata.ownerReferences]);
    this.known.set(uid, pod);
    if (this.summaries.get(uid) === summary) return;
    this.summaries.set(uid, summary);
    this.emit({ type: before ? 'modified' : 'added', pod, ...(before ? { previous: before.pod.metadata } : {}) });
  }

  private emit(change: PodChange): void {
    for (const listener of [...this.listeners]) listener(change);
  }

  /** The pods of a namespace (all namespaces when undefined), terminating ones included. */
  list(namespace?: string): ControlledPod[] {
    return this.manager.pods
      .list()
      .filter((r) => namespace === undefined || (r.pod.metadata.namespace ?? 'default') === namespace)
      .map((r) => this.toControlled(r));
  }

  /**
   * Every pod's uid, metadata and whether it is terminating, without its status: list() computes each
   * pod's status, and the garbage collector, which sweeps after every change, needs none of it (with 100
   * pods starting, those statuses were a tenth of the daemon's CPU).
   */
  listMetadata(): PodMetadataEntry[] {
    return this.manager.pods.list().map((r) => ({ uid: r.id, metadata: r.pod.metadata, terminating: r.deletion !== undefined }));
  }

  get(uid: string): ControlledPod | undefined {
    const record = this.manager.pods.get(uid);
    return record ? this.toControlled(record) : undefined;
  }

  /** Whether a pod with this UID exists (terminating or not): the garbage collector's owner look-up. */
  exists(uid: string): boolean {
    return this.manager.pods.get(uid) !== undefined;
  }

  /**
   * Creates a pod from a template: the template's labels and annotations plus `extraLabels`, the owner
   * reference, and a name `<generateName><5 chars>` (or `name` when given, as a StatefulSet's).
   */
  async create(
    namespace: string,
    template: PodTemplateSpec,
    options: { generateName?: string; name?: string; owner?: OwnerReference; extraLabels?: Record<string, string>; mutate?: (pod: Pod) => Pod },
  ): Promise<Pod> {
    this.assertRunning();
    for (let attempt = 0; attempt < MAX_NAME_ATTEMPTS; attempt++) {
      const name = options.name ?? `${options.generateName ?? 'pod-'}${randomSuffix()}`;
      if (this.manager.find(namespace, name)) {
        if (options.name !== undefined) throw new PeapodError('AlreadyExists', `pods "${name}" already exists`);
        continue;
      }
      const metadata: ObjectMeta = {
        name,
        namespace,
        labels: { ...(template.metadata?.labels ?? {}), ...(options.extraLabels ?? {}) },
        ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
        ...(options.generateName !== undefined ? { generateName: options.generateName } : {}),
        ...(options.owner ? { ownerReferences: [options.owner] } : {}),
      };
      let pod: Pod = applyDefaults({ apiVersion: 'v1', kind: 'Pod', metadata, spec: template.spec });
      if (options.mutate) pod = options.mutate(pod);
      await this.manager.apply([pod], { force: false });
      return this.manager.find(namespace, name)?.pod ?? pod;
    }
    throw new PeapodError('Internal', `could not find a free pod name for ${options.generateName ?? ''}`);
  }

  /** Requests the pod's deletion (its grace period) and returns at once; idempotent. */
  async delete(namespace: string, name: string, graceSeconds?: number): Promise<void> {
    this.assertRunning();
    const record = this.manager.find(namespace, name);
    if (!record || record.deletion) return;
    await this.manager.delete(namespace, name, { wait: false, ...(graceSeconds !== undefined ? { graceSeconds } : {}) });
  }

  /** Rewrites a pod's metadata (adoption, release, an orphaned owner reference removed). */
  async updateMetadata(uid: string, fn: (metadata: ObjectMeta) => ObjectMeta): Promise<void> {
    this.assertRunning();
    if (!this.manager.pods.get(uid)) return;
    await this.manager.updateMetadata(uid, fn);
  }
}
