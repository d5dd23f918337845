import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { ResourceVersions, type ResourceStore } from './resource.js';
import type { KubeObj } from './table.js';
import { serveWatch } from './watch.js';

/** A store whose objects the test changes, signalling like the pod manager does. */
function fakeStore(): { store: ResourceStore; set: (name: string, value: string | undefined) => void } {
  const objects = new Map<string, KubeObj>();
  const listeners = new Set<() => void>();
  const store: ResourceStore = {
    resource: 'configmaps',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: [],
    verbs: ['watch'],
    list: () => [...objects.values()],
    get: (_ns, name) => objects.get(name),
    onChange: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return {
    store,
    set: (name, value) => {
      if (value === undefined) objects.delete(name);
      else objects.set(name, { metadata: { name, namespace: 'default' }, data: { v: value } });
      for (const l of listeners) l();
    },
  };
}

function fakeResponse(): { res: ServerResponse; events: () => { type: string; name: string; rv: number }[] } {
  let text = '';
  const res = {
    writeHead: () => res,
    flushHeaders: () => undefined,
    write: (chunk: string) => ((text += chunk), true),
    end: () => undefined,
    writableEnded: false,
  };
  return {
    res: res as unknown as ServerResponse,
    events: () =>
      text
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { type: string; object: KubeObj })
        .map((e) => ({ type: e.type, name: String(e.object.metadata['name']), rv: Number(e.object.metadata['resourceVersion']) })),
  };
}

test('watch: the current state as ADDED, then MODIFIED and DELETED with growing resourceVersions; resuming skips what the client saw', async () => {
  const { store, set } = fakeStore();
  const versions = new ResourceVersions();
  set('a', '1');
  set('b', '1');
  const listed = versions.current();
  for (const o of store.list('default')) versions.stamp('configmaps', o);
  const resumed = versions.current();
  const controller = new AbortController();
  const all = fakeResponse();
  const since = fakeResponse();
  const request = (since: string) => ({
    store,
    versions,
    namespace: 'default',
    matches: () => true,
    since,
    bookmarks: false,
    timeoutSeconds: 5,
    render: (o: KubeObj) => o,
    signal: controller.signal,
  });
  const watching = Promise.all([serveWatch(all.res, request(''), 'application/json'), serveWatch(since.res, request(resumed), 'application/json')]);
  set('a', '2');
  set('b', undefined);
  controller.abort();
  await watching;
  const events = all.events();
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.name}`),
    ['ADDED a', 'ADDED b', 'MODIFIED a', 'DELETED b'],
  );
  for (let i = 2; i < events.length; i++) assert.ok((events[i]?.rv ?? 0) > Number(listed), 'changes carry newer versions');
  assert.deepEqual(
    since.events().map((e) => `${e.type} ${e.name}`),
    ['MODIFIED a', 'DELETED b'],
  );
});
