// ?watch=1: a stream of {"type","object"} lines. Changes are found by comparing each object's
// resourceVersion with the last one sent (the stores signal "something changed"; a short poll catches
// what they do not signal, like a probe flipping readiness). Bookmarks when the client allows them.
import type { ServerResponse } from 'node:http';
import type { ResourceStore, ResourceVersions } from './resource.js';
import { text, type KubeObj } from './table.js';

const POLL_MS = 500;
const BOOKMARK_MS = 10_000;
const MAX_TIMEOUT_S = 3600;

export interface WatchRequest {
  readonly store: ResourceStore;
  readonly versions: ResourceVersions;
  readonly namespace: string | undefined;
  readonly matches: (object: KubeObj) => boolean;
  /** The client's resourceVersion: "" or "0" start with the current state as ADDED events. */
  readonly since: string;
  readonly bookmarks: boolean;
  readonly timeoutSeconds: number | undefined;
  readonly render: (object: KubeObj) => unknown;
  readonly signal: AbortSignal;
}

const keyOf = (o: KubeObj): string => `${text(o.metadata['namespace'], '')}/${text(o.metadata['name'], '')}`;

export async function serveWatch(res: ServerResponse, request: WatchRequest, contentType: string): Promise<void> {
  const { store, versions } = request;
  res.writeHead(200, { 'content-type': contentType, 'transfer-encoding': 'chunked', 'cache-control': 'no-cache' });
  res.flushHeaders();
  const send = (type: string, object: unknown): void => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const snapshot = (): Map<string, KubeObj> =>
    new Map(
      store
        .list(request.namespace)
        .map((o) => versions.stamp(store.resource, o))
        .filter(request.matches)
        .map((o) => [keyOf(o), o]),
    );
  let known = snapshot();
  const since = Number(request.since);
  for (const object of known.values()) {
    if (request.since === '' || request.since === '0' || Number(object.metadata['resourceVersion']) > since) send('ADDED', request.render(object));
  }
  const check = (): void => {
    const next = snapshot();
    for (const [key, object] of next) {
      const before = known.get(key);
      if (!before) send('ADDED', request.render(object));
      else if (before.metadata['resourceVersion'] !== object.metadata['resourceVersion']) send('MODIFIED', request.render(object));
    }
    for (const [key, object] of known) {
      if (!next.has(key)) send('DELETED', request.render({ ...object, metadata: { ...object.metadata, resourceVersion: versions.bump() } }));
    }
    known = next;
  };
  await new Promise<void>((resolve) => {
    const off = store.onChange(check);
    const poll = setInterval(check, POLL_MS);
    const bookmark = request.bookmarks
      ? setInterval(
          () => send('BOOKMARK', { kind: store.kind, apiVersion: store.groupVersion ?? 'v1', metadata: { resourceVersion: versions.current() } }),
          BOOKMARK_MS,
        )
      : undefined;
    const seconds = Math.min(request.timeoutSeconds ?? MAX_TIMEOUT_S, MAX_TIMEOUT_S);
    const timeout = setTimeout(done, seconds * 1000);
    function done(): void {
      off();
      clearInterval(poll);
      if (bookmark) clearInterval(bookmark);
      clearTimeout(timeout);
      resolve();
    }
    request.signal.addEventListener('abort', done, { once: true });
  });
  res.end();
}
