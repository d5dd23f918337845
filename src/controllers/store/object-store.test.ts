import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../clock.js';
import { ApiObjectStore, FOREGROUND_FINALIZER } from './object-store.js';
import type { Deployment } from '../../kube/kinds/apps.js';

const manifest = (spec: Record<string, unknown> = {}, labels: Record<string, string> = { app: 'web' }): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    ...spec,
  },
});

const key = { kind: 'Deployment', namespace: 'default', name: 'web' };

async function withStore(fn: (store: ApiObjectStore, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'objstore-'));
  try {
    const store = new ApiObjectStore(dir, new FakeClock());
    await store.load();
    await fn(store, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('generation follows the spec, not the status or metadata; resourceVersion every write; all survives a reload', () =>
  withStore(async (store, dir) => {
    assert.equal(await store.apply(manifest()), 'created');
    const created = store.get<Deployment>(key);
    assert.ok(created?.metadata.uid);
    assert.equal(created.metadata.generation, 1);
    assert.equal(created.spec.replicas, 1, 'defaulted by the store');
    assert.equal(await store.apply(manifest()), 'unchanged');
    await store.updateStatus<Deployment>(key, { replicas: 1, observedGeneration: 1 });
    assert.equal(store.get<Deployment>(key)?.metadata.generation, 1);
    await store.update<Deployment>(key, (d) => ({ ...d, metadata: { ...d.metadata, annotations: { a: 'b' } } }));
    assert.equal(store.get<Deployment>(key)?.metadata.generation, 1);
    assert.equal(await store.apply(manifest({ replicas: 3 })), 'configured');
    const after = store.get<Deployment>(key);
    assert.equal(after?.metadata.generation, 2);
    assert.deepEqual(after?.status, { replicas: 1, observedGeneration: 1 }, 'an apply keeps the status');
    assert.equal(after?.metadata.annotations?.['a'], 'b', 'and annotations it never set');
    assert.ok(Number(after?.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
    const reloaded = new ApiObjectStore(dir, new FakeClock());
    await reloaded.load();
    assert.deepEqual(reloaded.get(key), after);
    assert.equal(reloaded.getByUid(created.metadata.uid)?.metadata.name, 'web');
  }));

test('apply is a three-way merge: a scaled replicas stays when the manifest has none, a removed label goes', () =>
  withStore(async (store) => {
    await store.apply(manifest({}, { app: 'web', tier: 'front' }));
    await store.update<Deployment>(key, (d) => ({ ...d, spec: { ...d.spec, replicas: 5 } }));
    assert.equal(await store.apply(manifest({}, { app: 'web' })), 'configured');
    const d = store.get<Deployment>(key);
    assert.equal(d?.spec.replicas, 5);
    assert.deepEqual(d?.metadata.labels, { app: 'web' });
    await store.apply(manifest({ replicas: 2 }));
    assert.equal(store.get<Deployment>(key)?.spec.replicas, 2, 'a manifest that sets replicas wins');
  }));

test('delete: background removes at once; foreground marks and waits for its finalizer; changes are announced', () =>
  withStore(async (store) => {
    const seen: string[] = [];
    store.onChange((c) => seen.push(`${c.type}:${c.object.metadata.deletionTimestamp ? 'deleting' : 'live'}`));
    await store.apply(manifest());
    assert.equal(await store.delete(key, 'Foreground'), true);
    const marked = store.get(key);
    assert.ok(marked?.metadata.deletionTimestamp);
    assert.deepEqual(marked.metadata.finalizers, [FOREGROUND_FINALIZER]);
    await assert.rejects(store.apply(manifest()), /being deleted/);
    await store.removeFinalizer(key, FOREGROUND_FINALIZER);
    assert.equal(store.get(key), undefined);
    assert.equal(await store.delete(key), false, 'idempotent');
    await store.apply(manifest());
    await store.delete(key);
    assert.equal(store.get(key), undefined);
    assert.deepEqual(seen, ['added:live', 'modified:deleting', 'deleted:deleting', 'added:live', 'deleted:live']);
  }));
