// A controller whose module is imported at its first sync, i.e. once an object of its kind exists (the
// manager queues every such object at start, after a restart too, and on every change). A daemon running
// only plain pods loads none of the workload controllers' code, which would otherwise stay resident.
// Until then the controller has no watches: a change they would have mapped needs no queueing, since
// the first sync reads everything from the stores anyway (level-triggered).
import type { Controller, ControllerContext, SyncResult, Watch } from './controller.js';
import type { ObjectKey } from './store/object-store.js';

export type ControllerFactory = (ctx: ControllerContext) => Controller;

/** What the manager must know before the module is loaded; registry.test.ts checks it against the loaded controller. */
export interface LazyControllerSpec {
  readonly name: string;
  readonly kind: string;
  readonly owns?: readonly string[];
  readonly load: () => Promise<ControllerFactory>;
}

export function lazyController(spec: LazyControllerSpec): ControllerFactory {
  return (ctx) => {
    let loaded: Controller | undefined;
    let loading: Promise<Controller> | undefined;
    return {
      name: spec.name,
      kind: spec.kind,
      ...(spec.owns ? { owns: spec.owns } : {}),
      get watches(): readonly Watch[] {
        return loaded?.watches ?? [];
      },
      async sync(key: ObjectKey): Promise<SyncResult | void> {
        // A failed import is retried at the next sync (the manager re-queues the key with back-off).
        loading ??= spec.load().then(
          (factory) => (loaded = factory(ctx)),
          (err: unknown) => {
            loading = undefined;
            throw err;
          },
        );
        return (await loading).sync(key);
      },
    };
  };
}
