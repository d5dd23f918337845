// The verbs on a resource: list/get (as objects or as a Table), watch, create, update, patch, delete, with
// resourceVersion conflicts, dryRun and fieldValidation handled as the API server handles them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { ResourceStore, ResourceVersions, WriteOptions } from './resource.js';
import { badRequest, conflict, methodNotAllowed, notFound, unsupportedMediaType } from './status.js';
import { text, toTable, type KubeObj } from './table.js';
import { parseSelector } from './selectors.js';
import { serveWatch } from './watch.js';
import { jsonPatch, mergePatch, strategicMerge } from './patch.js';
import { decodeProtobufObject } from './protobuf.js';

const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface ResourceRequest {
  readonly store: ResourceStore;
  readonly versions: ResourceVersions;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly query: URLSearchParams;
  readonly signal: AbortSignal;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw badRequest(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseBody(raw: Buffer, yaml: boolean): unknown {
  if (raw.subarray(0, 4).toString('latin1') === 'k8s\0') return decodeProtobufObject(raw);
  const text = raw.toString('utf8');
  try {
    return yaml ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
  } catch (err) {
    throw badRequest(`the body of the request was in an unknown format: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function wantsTable(req: IncomingMessage): boolean {
  return /as=Table/.test(req.headers.accept ?? '');
}

function sendJson(res: ServerResponse, code: number, value: unknown, warnings: readonly string[] = []): void {
  const body = JSON.stringify(value);
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  if (warnings.length > 0) headers['warning'] = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(body);
}

function typed(store: ResourceStore, o: KubeObj): KubeObj {
  return { kind: store.kind, apiVersion: store.groupVersion ?? 'v1', ...o };
}

/** fieldValidation: Strict refuses unknown fields (400), Warn (the server's default) warns, Ignore drops them. */
function writeOptions(query: URLSearchParams, unknown: string[]): WriteOptions {
  const policy = query.get('fieldValidation');
  const fieldValidation = policy === 'Strict' || policy === 'Ignore' ? policy : 'Warn';
  return { dryRun: query.getAll('dryRun').includes('All'), fieldValidation, onUnknownField: (path) => unknown.push(path) };
}

function checkUnknown(query: URLSearchParams, unknown: readonly string[]): string[] {
  if (unknown.length === 0) return [];
  return query.get('fieldValidation') === 'Ignore' ? [] : unknown.map((p) => `unknown field ${JSON.stringify(p)}`);
}

export async function serveCollection(req: IncomingMessage, res: ServerResponse, r: ResourceRequest): Promise<void> {
  const { store, versions, query } = r;
  if (req.method === 'GET') {
    const labels = parseSelector(query.get('labelSelector'), 'label');
    const fields = parseSelector(query.get('fieldSelector'), 'field');
    const matches = (o: KubeObj): boolean => labels(o) && fields(o);
    const table = wantsTable(req);
    const now = new Date();
    if (query.get('watch') === '1' || query.get('watch') === 'true') {
      const timeout = query.get('timeoutSeconds');
      await serveWatch(
        res,
        {
          store,
          versions,
          namespace: r.namespace,
          matches,
          since: query.get('resourceVersion') ?? '',
          bookmarks: query.get('allowWatchBookmarks') === 'true',
          timeoutSeconds: timeout === null ? undefined : Number(timeout),
          render: (o) => (table ? toTable(store.resource, [typed(store, o)], String(o.metadata['resourceVersion']), new Date()) : typed(store, o)),
          signal: r.signal,
        },
        'application/json',
      );
      return;
    }
    const items = store
      .list(r.namespace)
      .map((o) => versions.stamp(store.resource, o))
      .filter(matches)
      .map((o) => typed(store, o));
    const rv = versions.current();
    sendJson(
      res,
      200,
      table
        ? toTable(store.resource, items, rv, now)
        : { kind: `${store.kind}List`, apiVersion: store.groupVersion ?? 'v1', metadata: { resourceVersion: rv }, items },
    );
    return;
  }
  if (req.method === 'POST') {
    if (!store.create) throw methodNotAllowed(`create is not supported on ${store.resource}`);
    const body = parseBody(await readBody(req), false);
    if (!isObj(body)) throw badRequest('the body must be a JSON object');
    const unknown: string[] = [];
    const options = writeOptions(query, unknown);
    const namespace = r.namespace ?? text((body['metadata'] as Record<string, unknown> | undefined)?.['namespace'], '');
    const created = await store.create(namespace, body, options);
    const warnings = checkUnknown(query, unknown);
    sendJson(res, 201, typed(store, versions.stamp(store.resource, created)), warnings);
    return;
  }
  throw methodNotAllowed(`${req.method ?? ''} is not supported on the ${store.resource} collection`);
}

export async function serveItem(req: IncomingMessage, res: ServerResponse, r: ResourceRequest): Promise<void> {
  const { store, versions, query } = r;
  const namespace = r.namespace ?? '';
  const name = r.name ?? '';
  const current = (): KubeObj => {
    const o = store.get(namespace, name);
    if (!o) throw notFound(store.resource, name);
    return typed(store, versions.stamp(store.resource, o));
  };
  if (req.method === 'GET') {
    const o = current();
    sendJson(res, 200, wantsTable(req) ? toTable(store.resource, [o], String(o.metadata['resourceVersion']), new Date()) : o);
    return;
  }
  if (req.method === 'DELETE') {
    if (!store.delete) throw methodNotAllowed(`delete is not supported on ${store.resource}`);
    const raw = await readBody(req);
    const body = raw.length > 0 ? parseBody(raw, false) : {};
    const options = isObj(body) ? body : {};
    const graceQuery = query.get('gracePeriodSeconds');
    const grace = typeof options['gracePeriodSeconds'] === 'number' ? options['gracePeriodSeconds'] : graceQuery !== null ? Number(graceQuery) : undefined;
    const before = current();
    const policy = typeof options['propagationPolicy'] === 'string' ? options['propagationPolicy'] : query.get('propagationPolicy');
    const after = await store.delete(namespace, name, {
      ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
      ...(policy !== null ? { propagationPolicy: policy } : {}),
      dryRun: query.getAll('dryRun').includes('All'),
    });
    if (after) sendJson(res, 200, typed(store, versions.stamp(store.resource, after)));
    else {
      sendJson(res, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, kind: store.resource, uid: before.metadata['uid'] },
      });
    }
    return;
  }
  if (req.method !== 'PUT' && req.method !== 'PATCH') throw methodNotAllowed(`${req.method ?? ''} is not supported on ${store.resource}`);
  if (!store.update) throw methodNotAllowed(`update is not supported on ${store.resource}`);
  const contentType = (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim() ?? '';
  const apply = contentType === 'application/apply-patch+yaml';
  const body = parseBody(await readBody(req), apply);
  const unknown: string[] = [];
  const options = writeOptions(query, unknown);
  const existing = store.get(namespace, name);
  let next: unknown;
  if (req.method === 'PUT') next = body;
  else if (!existing) {
    if (!apply || !store.create) throw notFound(store.resource, name);
    const created = await store.create(namespace, stripApplyFields(body), options);
    sendJson(res, 201, typed(store, versions.stamp(store.resource, created)), checkUnknown(query, unknown));
    return;
  } else {
    const base = current();
    if (contentType === 'application/merge-patch+json') next = mergePatch(base, body);
    else if (contentType === 'application/json-patch+json') next = jsonPatch(base, body);
    else if (contentType === 'application/strategic-merge-patch+json') next = strategicMerge(base, body);
    else if (apply) next = strategicMerge(base, stripApplyFields(body));
    else
      throw unsupportedMediaType(
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
      );
  }
  if (!isObj(next)) throw badRequest('the patched object must be a JSON object');
  if (!existing) throw notFound(store.resource, name);
  const sent = (next['metadata'] as Record<string, unknown> | undefined)?.['resourceVersion'];
  if (typeof sent === 'string' && sent !== '' && sent !== current().metadata['resourceVersion']) throw conflict(store.resource, name);
  const updated = await store.update(namespace, name, next, options);
  sendJson(res, 200, typed(store, versions.stamp(store.resource, updated)), checkUnknown(query, unknown));
}

function stripApplyFields(body: unknown): Record<string, unknown> {
  if (!isObj(body)) throw badRequest('the apply body must be an object');
  return body;
}
