// The controller manager (kube-controller-manager inside the daemon): one work queue and one sync loop
// per controller, fed by the object store's changes and the pods' change signal, mapped to keys by each
// controller's kind, owned kinds and watches. Level-triggered and restart-safe: at start every object of
// each controller's kind is queued, and a periodic resync queues them again, so nothing depends on an
// event having been seen.
import { errorMessage } from '../common/errors.js';

import type { Clock } from './clock.js';
import type { Controller, ControllerContext, WatchedChange } from './controller.js';
import { controllerOf } from './owners.js';
import type { PodChange, PodClient } from './pods.js';
import { WorkQueue } from './queue.js';
import { keyOfObject, keyString, type ApiObjectStore, type ObjectChange, type ObjectKey } from './store/object-store.js';

/** Every object is synced again this often even without a change (kube-controller-manager resyncs too). */
const DEFAULT_RESYNC_MS = 60_000;

interface Running {
  readonly controller: Controller;
  readonly queue: WorkQueue<ObjectKey>;
  loop?: Promise<void>;
}

export interface ControllerManagerOptions {
  readonly store: ApiObjectStore;
  readonly pods: PodClient;
  readonly clock: Clock;
  readonly log: (message: string) => void;
  readonly root: string;
  readonly resyncMs?: number;
}

export class ControllerManager {
  private readonly running: Running[] = [];
  private readonly offs: (() => void)[] = [];
  private cancelResync: (() => void) | undefined;
  private started = false;
  readonly context: ControllerContext;

  constructor(private readonly options: ControllerManagerOptions) {
    const { store, pods, clock, log, root } = options;
    this.context = {
      store,
      pods,
      clock,
      log,
      root,
      event: (object, type, reason, message) => void store.recordEvent(keyOfObject(object), type, reason, message),
    };
  }

  /** Adds a controller (before or after start). */
  register(controller: Controller): void {
    const entry: Running = { controller, queue: new WorkQueue<ObjectKey>(keyString, this.options.clock) };
    this.running.push(entry);
    if (this.started) this.run(entry);
  }

  /** Queues a key of a controller by name (an API call that must be acted on now, e.g. a rollout undo). */
  enqueue(kind: string, key: ObjectKey): void {
    for (const r of this.running) if (r.controller.kind === kind) r.queue.add(key);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.offs.push(this.options.store.onChange((change) => this.onObjectChange(change)));
    this.offs.push(this.options.pods.onChange((change) => this.onPodChange(change)));
    for (const entry of this.running) this.run(entry);
    this.scheduleResync();
  }

  private run(entry: Running): void {
    this.queueAll(entry);
    entry.loop = this.loop(entry);
  }

  private queueAll(entry: Running): void {
    for (const object of this.options.store.list(entry.controller.kind)) entry.queue.add(keyOfObject(object));
  }

  private scheduleResync(): void {
    this.cancelResync = this.options.clock.setTimer(() => {
      for (const entry of this.running) this.queueAll(entry);
      this.scheduleResync();
    }, this.options.resyncMs ?? DEFAULT_RESYNC_MS);
  }

  private async loop(entry: Running): Promise<void> {
    const { controller, queue } = entry;
    for (;;) {
      const key = await queue.next();
      if (key === undefined) return;
      try {
        const result = await controller.sync(key);
        queue.forget(key);
        if (result?.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        this.options.log(`controller ${controller.name}: syncing ${keyString(key)}: ${errorMessage(err)}`);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  }

  private onObjectChange(change: ObjectChange): void {
    this.dispatch({ kind: change.key.kind, type: change.type, metadata: change.object.metadata, object: change.object });
  }

  private onPodChange(change: PodChange): void {
    const metadata = change.pod.pod.metadata;
    this.dispatch({ kind: 'Pod', type: change.type, metadata, ...(change.previous ? { previous: change.previous } : {}), object: change.pod });
  }

  private dispatch(change: WatchedChange): void {
    const namespace = change.metadata.namespace ?? '';
    for (const { controller, queue } of this.running) {
      if (change.kind === controller.kind) queue.add({ kind: change.kind, namespace, name: change.metadata.name });
      if (controller.owns?.includes(change.kind)) {
        for (const metadata of [change.metadata, change.previous]) {
          const owner = metadata ? controllerOf(metadata) : undefined;
          if (owner?.kind === controller.kind) queue.add({ kind: owner.kind, namespace, name: owner.name });
        }
      }
      for (const watch of controller.watches ?? []) if (watch.kind === change.kind) for (const key of watch.map(change)) queue.add(key);
    }
  }

  /** Every queue empty and no sync running (delayed re-queues do not count): tests wait on this. */
  isIdle(): boolean {
    return this.running.every((r) => r.queue.isIdle());
  }

  async stop(): Promise<void> {
    this.cancelResync?.();
    for (const off of this.offs.splice(0)) off();
    for (const r of this.running) r.queue.stop();
    await Promise.all(this.running.map((r) => r.loop ?? Promise.resolve()));
  }
}
