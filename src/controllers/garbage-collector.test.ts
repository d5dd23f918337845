import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from './clock.js';
import { GarbageCollector } from './garbage-collector.js';
import { controllerRef } from './owners.js';
import { PodClient, type PodManagerPort } from './pods.js';
import { ApiObjectStore } from './store/object-store.js';
import type { Deployment, ReplicaSet } from '../kube/kinds/apps.js';

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'web' } }, template },
} as Deployment;

/** A pod manager with no pods: this test is about owner chains between stored objects. */
const noPods = { pods: { list: () => [], get: () => undefined }, onChange: () => () => undefined } as unknown as PodManagerPort;

async function setUp(fn: (store: ApiObjectStore, gc: GarbageCollector, owner: Deployment, rs: ReplicaSet) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gc-'));
  const clock = new FakeClock();
  const store = new ApiObjectStore(dir, clock);
  await store.load();
  const gc = new GarbageCollector(store, new PodClient(noPods, clock), clock, () => undefined);
  try {
    const owner = await store.create(deployment);
    const rs = await store.create<ReplicaSet>({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-1', namespace: 'default', ownerReferences: [controllerRef(owner)] },
      spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template },
    });
    await fn(store, gc, owner, rs);
  } finally {
    gc.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const rsKey = { kind: 'ReplicaSet', namespace: 'default', name: 'web-1' };
const dKey = { kind: 'Deployment', namespace: 'default', name: 'web' };

test('background: a dependent whose owner is gone is deleted', () =>
  setUp(async (store, gc) => {
    await gc.sweep();
    assert.ok(store.get(rsKey), 'an owned dependent of a live owner stays');
    await store.delete(dKey, 'Background');
    await gc.sweep();
    assert.equal(store.get(rsKey), undefined);
  }));

test('foreground: the owner stays marked while a blocking dependent exists, and goes once it is gone', () =>
  setUp(async (store, gc) => {
    // A dependent held by a finalizer of its own cannot go yet: the owner must wait for it.
    await store.update(rsKey, (rs) => ({ ...rs, metadata: { ...rs.metadata, finalizers: ['example.com/hold'] } }));
    await store.delete(dKey, 'Foreground');
    await gc.sweep();
    assert.ok(store.get(rsKey)?.metadata.deletionTimestamp, 'the dependent is being deleted');
    assert.ok(store.get(dKey)?.metadata.deletionTimestamp, 'the owner waits');
    await store.removeFinalizer(rsKey, 'example.com/hold');
    assert.equal(store.get(rsKey), undefined);
    await gc.sweep();
    assert.equal(store.get(dKey), undefined);
  }));

test('orphan: the dependent loses its owner reference and stays; the owner goes', () =>
  setUp(async (store, gc) => {
    await store.delete(dKey, 'Orphan');
    await gc.sweep();
    await gc.sweep();
    assert.equal(store.get(dKey), undefined);
    assert.deepEqual(store.get(rsKey)?.metadata.ownerReferences, undefined);
  }));
