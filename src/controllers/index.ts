// The workload side of the daemon in one piece: the object store, the controllers over it and the pods,
// the garbage collector, and the applier the API routes use. The daemon starts it after the pod manager
// (whose pods it reads) and stops it before.
import { join } from 'node:path';
import { localPathHost } from '../host/local-path.js';
import type { PodManager } from '../kubelet/manager.js';
import type { ClaimVolume } from '../kubelet/volumes/setup.js';
import { localPathController } from './local-path/controller.js';
import { claimVolumeResolver } from './local-path/resolve.js';
import { ObjectApplier } from './apply.js';
import { clockFromEnv, type Clock } from './clock.js';
import { GarbageCollector } from './garbage-collector.js';
import { ControllerManager } from './manager.js';
import { PodClient } from './pods.js';
import { CONTROLLER_FACTORIES, type ControllerFactory } from './registry.js';
import { ApiObjectStore } from './store/object-store.js';

export interface Workloads {
  readonly store: ApiObjectStore;
  readonly podClient: PodClient;
  readonly manager: ControllerManager;
  readonly gc: GarbageCollector;
  readonly applier: ObjectApplier;
  /** A pod's persistentVolumeClaim volume: the bound local-path directory, or what it waits for. */
  readonly claimVolume: (namespace: string, claimName: string) => ClaimVolume;
  /** Stops the garbage collector and the controllers; pods are neither created nor deleted once it returns. */
  stop(): Promise<void>;
}

export interface WorkloadOptions {
  readonly root: string;
  readonly pods: PodManager;
  readonly log: (message: string) => void;
  readonly clock?: Clock;
  /** The controllers to run (default: all of registry.ts). */
  readonly controllers?: readonly ControllerFactory[];
  readonly resyncMs?: number;
  /** The local-path provisioner's directory (default <root>/volumes/local-path); the provisioner runs with the default controllers. */
  readonly localPathRoot?: string;
}

export async function startWorkloads(options: WorkloadOptions): Promise<Workloads> {
  const clock = options.clock ?? clockFromEnv(process.env);
  const store = new ApiObjectStore(options.root, clock);
  await store.load((file, err) => options.log(`object store: ignoring ${file}: ${String(err)}`));
  const podClient = new PodClient(options.pods, clock);
  const manager = new ControllerManager({
    store,
    pods: podClient,
    clock,
    log: options.log,
    root: options.root,
    ...(options.resyncMs ? { resyncMs: options.resyncMs } : {}),
  });
  for (const factory of options.controllers ?? CONTROLLER_FACTORIES) manager.register(factory(manager.context));
  // The provisioner needs the host (its directories), which registry.ts's factories do not get.
  const localPath = localPathHost(options.localPathRoot ?? join(options.root, 'volumes', 'local-path'));
  if (!options.controllers) {
    manager.register(localPathController(manager.context, localPath));
    // Its passes are global: one at start finishes what a crash left (a volume whose claim is already
    // gone has no claim key for the start-up queueing to find).
    manager.enqueue('PersistentVolumeClaim', { kind: 'PersistentVolumeClaim', namespace: '', name: '' });
  }
  const gc = new GarbageCollector(store, podClient, clock, options.log);
  podClient.start();
  manager.start();
  gc.start();
  let stopping: Promise<void> | undefined;
  return {
    store,
    podClient,
    manager,
    gc,
    applier: new ObjectApplier(options.pods, store),
    claimVolume: claimVolumeResolver(store, localPath),
    // Synchronous first part: once stop() returns, no controller creates or deletes a pod any more (the
    // pod manager and the runtime stop right after); then the sync loops end. Idempotent.
    stop() {
      if (!stopping) {
        gc.stop();
        podClient.stop();
        stopping = manager.stop();
      }
      return stopping;
    },
  };
}

export type { Clock } from './clock.js';
export { FakeClock, realClock } from './clock.js';
