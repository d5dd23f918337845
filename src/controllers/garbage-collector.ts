// The garbage collector (kube-controller-manager's, pkg/controller/garbagecollector), as a level-
// triggered sweep over the object store and the pods: it runs after any change (debounced) and every
// minute, so a deletion half done when the daemon died is finished after the restart.
//   - A dependent whose owners are all gone is deleted (Background).
//   - An owner being deleted with the `orphan` finalizer: its dependents lose their reference to it,
//     then the finalizer goes (and with the last finalizer, the owner).
//   - An owner being deleted with `foregroundDeletion`: its dependents are deleted (in foreground when
//     they have dependents of their own); the finalizer goes once no dependent with blockOwnerDeletion
//     still references it.
// A dependent with a "solid" owner (present, not being deleted in foreground) only loses its
// references to the gone and foreground-deleted owners, as attemptToDeleteItem does.
import { errorMessage } from '../common/errors.js';
import type { ObjectMeta, OwnerReference } from '../kube/types.js';
import type { Clock } from './clock.js';
import type { PodClient } from './pods.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER, keyOfObject, type ApiObjectStore } from './store/object-store.js';

const SWEEP_PERIOD_MS = 60_000;

/** A dependent, store object or pod, with how to act on it. */
interface Dependent {
  readonly metadata: ObjectMeta;
  readonly deleting: boolean;
  readonly hasDependents: boolean;
  remove(policy: 'Background' | 'Foreground'): Promise<void>;
  dropOwners(uids: ReadonlySet<string>): Promise<void>;
}

export class GarbageCollector {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private cancelTimer: (() => void) | undefined;
  private readonly offs: (() => void)[] = [];

  constructor(
    private readonly store: ApiObjectStore,
    private readonly pods: PodClient,
    private readonly clock: Clock,
    private readonly log: (message: string) => void,
  ) {}

  start(): void {
    this.offs.push(this.store.onChange(() => this.trigger()));
    this.offs.push(this.pods.onChange(() => this.trigger()));
    this.trigger();
  }

  /** Asks for a sweep; one runs at a time, and a request during it runs one more after it. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.cancelTimer?.();
    this.running = this.sweepLoop().finally(() => {
      this.running = undefined;
      if (!this.stopped) this.cancelTimer = this.clock.setTimer(() => this.trigger(), SWEEP_PERIOD_MS);
    });
  }

  private async sweepLoop(): Promise<void> {
    do {
      this.again = false;
      // Changes made by this sweep arrive as triggers: they set `again`, so the next pass sees them.
      await Promise.resolve();
      try {
        await this.sweep();
      } catch (err) {
        this.log(`garbage collector: ${errorMessage(err)}`);
      }
    } while (this.again && !this.stopped);
  }

  /** Resolves once no sweep is running or asked for (tests). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    for (const off of this.offs.splice(0)) off();
  }

  private ownerState(ref: OwnerReference): 'absent' | 'solid' | 'foreground' | 'orphaning' {
    const owner = this.store.getByUid(ref.uid);
    if (!owner) return this.pods.exists(ref.uid) ? 'solid' : 'absent';
    if (owner.kind !== ref.kind || owner.metadata.name !== ref.name) return 'absent';
    if (owner.metadata.deletionTimestamp === undefined) return 'solid';
    const finalizers = owner.metadata.finalizers ?? [];
    if (finalizers.includes(ORPHAN_FINALIZER)) return 'orphaning';
    if (finalizers.includes(FOREGROUND_FINALIZER)) return 'foreground';
    return 'solid';
  }

  async sweep(): Promise<void> {
    const dependents = this.dependents();
    for (const d of dependents) await this.attemptToDelete(d);
    await this.finishOwners();
  }

  private dependents(): Dependent[] {
    const referenced = new Set<string>();
    const objects = this.store.all();
    const pods = this.pods.listMetadata();
    for (const m of [...objects.map((o) => o.metadata), ...pods.map((p) => p.metadata)]) for (const r of m.ownerReferences ?? []) referenced.add(r.uid);
    const out: Dependent[] = [];
    for (const o of objects) {
      if (!o.metadata.ownerReferences?.length) continue;
      const key = keyOfObject(o);
      out.push({
        metadata: o.metadata,
        deleting: o.metadata.deletionTimestamp !== undefined,
        hasDependents: referenced.has(o.metadata.uid ?? ''),
        remove: async (policy) => void (await this.store.delete(key, policy)),
        dropOwners: async (uids) => void (await this.store.update(key, (c) => ({ ...c, metadata: dropRefs(c.metadata, uids) }), { uid: o.metadata.uid ?? '' })),
      });
    }
    for (const p of pods) {
      if (!p.metadata.ownerReferences?.length) continue;
      const namespace = p.metadata.namespace ?? 'default';
      const name = p.metadata.name;
      out.push({
        metadata: p.metadata,
        deleting: p.terminating,
        hasDependents: false,
        remove: () => this.pods.delete(namespace, name),
        dropOwners: (uids) => this.pods.updateMetadata(p.uid, (m) => dropRefs(m, uids)),
      });
    }
    return out;
  }

  private async attemptToDelete(d: Dependent): Promise<void> {
    const refs = d.metadata.ownerReferences ?? [];
    const states = refs.map((r) => ({ ref: r, state: this.ownerState(r) }));
    const orphaning = states.filter((s) => s.state === 'orphaning');
    if (orphaning.length > 0) {
      await d.dropOwners(new Set(orphaning.map((s) => s.ref.uid)));
      return;
    }
    if (d.deleting) return;
    const solid = states.filter((s) => s.state === 'solid');
    const waiting = states.filter((s) => s.state === 'foreground');
    if (solid.length > 0) {
      const gone = states.filter((s) => s.state !== 'solid').map((s) => s.ref.uid);
      if (gone.length > 0) await d.dropOwners(new Set(gone));
      return;
    }
    await d.remove(waiting.length > 0 && d.hasDependents ? 'Foreground' : 'Background');
  }

  /** Owners whose deletion waits on this collector: drop the finalizer once its condition holds. */
  private async finishOwners(): Promise<void> {
    const deleting = this.store.all().filter((o) => o.metadata.deletionTimestamp !== undefined);
    if (deleting.length === 0) return;
    const refs = [...this.store.all().map((o) => o.metadata), ...this.pods.listMetadata().map((p) => p.metadata)].flatMap((m) => m.ownerReferences ?? []);
    for (const owner of deleting) {
      const uid = owner.metadata.uid ?? '';
      const finalizers = owner.metadata.finalizers ?? [];
      if (finalizers.includes(ORPHAN_FINALIZER) && !refs.some((r) => r.uid === uid)) await this.store.removeFinalizer(keyOfObject(owner), ORPHAN_FINALIZER);
      else if (finalizers.includes(FOREGROUND_FINALIZER) && !refs.some((r) => r.uid === uid && r.blockOwnerDeletion === true))
        await this.store.removeFinalizer(keyOfObject(owner), FOREGROUND_FINALIZER);
    }
  }
}

function dropRefs(metadata: ObjectMeta, uids: ReadonlySet<string>): ObjectMeta {
  const refs = (metadata.ownerReferences ?? []).filter((r) => !uids.has(r.uid));
  const { ownerReferences: _dropped, ...rest } = metadata;
  return refs.length > 0 ? { ...rest, ownerReferences: refs } : rest;
}
