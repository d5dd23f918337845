import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { FakeClock } from './clock.js';
import type { Controller, ControllerContext } from './controller.js';
import { lazyController } from './lazy.js';
import { ControllerManager } from './manager.js';
import { PodClient, type PodManagerPort } from './pods.js';
import { CONTROLLER_SPECS } from './registry.js';
import { ApiObjectStore, type ObjectKey } from './store/object-store.js';
import type { Deployment } from '../kube/kinds/apps.js';

const noPods = { pods: { list: () => [], get: () => undefined }, onChange: () => () => undefined } as unknown as PodManagerPort;
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
  },
} as Deployment;

test('every lazily loaded controller has the name, kind and owned kinds its registry entry gives the manager before loading', async () => {
  const ctx = { root: tmpdir() } as ControllerContext;
  for (const spec of CONTROLLER_SPECS) {
    const loaded = (await spec.load())(ctx);
    assert.deepEqual({ name: loaded.name, kind: loaded.kind, owns: loaded.owns }, { name: spec.name, kind: spec.kind, owns: spec.owns }, spec.name);
  }
});

/** A manager over a store in `dir` with one lazy Deployment controller whose loads and syncs are counted. */
async function managerWithLazyController(
  dir: string,
): Promise<{ store: ApiObjectStore; manager: ControllerManager; loads: () => number; synced: ObjectKey[] }> {
  const clock = new FakeClock();
  const store = new ApiObjectStore(dir, clock);
  await store.load();
  const manager = new ControllerManager({ store, pods: new PodClient(noPods, clock), clock, log: () => undefined, root: dir });
  let loads = 0;
  const synced: ObjectKey[] = [];
  const watches = [{ kind: 'Pod', map: () => [] }];
  const factory = lazyController({
    name: 'deployment',
    kind: 'Deployment',
    owns: ['ReplicaSet'],
    load: () => {
      loads++;
      return Promise.resolve((): Controller => ({
        name: 'deployment',
        kind: 'Deployment',
        owns: ['ReplicaSet'],
        watches,
        sync: (key) => {
          synced.push(key);
          return Promise.resolve();
        },
      }));
    },
  });
  manager.register(factory(manager.context));
  return { store, manager, loads: () => loads, synced };
}

/** Lets the manager's loops run until its queues are empty (bounded). */
async function settle(manager: ControllerManager): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await delay(5);
    if (manager.isIdle()) return;
  }
  assert.fail('the controller manager did not go idle');
}

test('a lazy controller loads at its first object, not before; after a restart, at start when its objects are on disk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lazy-controller-'));
  try {
    const first = await managerWithLazyController(dir);
    first.manager.start();
    await settle(first.manager);
    assert.equal(first.loads(), 0, 'no object of its kind: not loaded');
    await first.store.create(deployment);
    await settle(first.manager);
    assert.equal(first.loads(), 1);
    assert.deepEqual(first.synced, [{ kind: 'Deployment', namespace: 'default', name: 'web' }]);
    await first.store.update({ kind: 'Deployment', namespace: 'default', name: 'web' }, (d) => ({ ...d, metadata: { ...d.metadata, labels: { v: '2' } } }));
    await settle(first.manager);
    assert.equal(first.loads(), 1, 'loaded once');
    assert.equal(first.synced.length, 2);
    await first.manager.stop();

    const restarted = await managerWithLazyController(dir);
    restarted.manager.start();
    await settle(restarted.manager);
    assert.equal(restarted.loads(), 1, 'the stored Deployment loads its controller at start');
    assert.deepEqual(restarted.synced, [{ kind: 'Deployment', namespace: 'default', name: 'web' }]);
    await restarted.manager.stop();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a lazy controller's watches are its loaded controller's, none before; a failed load is retried at the next sync", async () => {
  const ctx = { root: tmpdir() } as ControllerContext;
  let attempts = 0;
  const watches = [{ kind: 'Pod', map: () => [] }];
  const controller = lazyController({
    name: 'x',
    kind: 'Deployment',
    load: () => {
      attempts++;
      if (attempts === 1) return Promise.reject(new Error('import failed'));
      return Promise.resolve(() => ({ name: 'x', kind: 'Deployment', watches, sync: () => Promise.resolve() }));
    },
  })(ctx);
  assert.deepEqual(controller.watches, []);
  const key = { kind: 'Deployment', namespace: 'default', name: 'web' };
  await assert.rejects(controller.sync(key), /import failed/);
  assert.deepEqual(controller.watches, []);
  await controller.sync(key);
  assert.equal(attempts, 2);
  assert.equal(controller.watches, watches);
});
