// The workload side of the daemon in one piece: the object store, the controllers over it and the pods,
// the garbage collector, and the applier the API routes use. The daemon starts it after the pod manager
// (whose pods it reads) and stops it before.
import type { PodManager } from '../kubelet/manager.js';
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
  const gc = new GarbageCollector(store, podClient, clock, options.log);
  podClient.start();
  manager.start();
  gc.start();
  return {
    store,
    podClient,
    manager,
    gc,
    applier: new ObjectApplier(options.pods, store),
    async stop() {
      gc.stop();
      await manager.stop();
      podClient.stop();
    },
  };
}

export type { Clock } from './clock.js';
export { FakeClock, realClock } from './clock.js';
