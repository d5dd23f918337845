// The Kubernetes API front: HTTPS on 127.0.0.1 that serves nothing to a client without a certificate
// signed by our CA (requestCert + rejectUnauthorized: the TLS handshake itself refuses), and routes
// /version, discovery, OpenAPI and the core/v1 resources to their handlers.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { KubeApiCredentials } from './credential-files.js';
import { PeapodError } from '../common/errors.js';
import type { ResourceStore } from './resource.js';
import { ResourceVersions } from './resource.js';
import { badRequest, pathNotFound, toStatus } from './status.js';
import {
  AGGREGATED_V2,
  aggregatedCore,
  aggregatedGroups,
  apiGroupList,
  apiResourceList,
  apiVersions,
  groupResourceList,
  versionInfo,
  wantsAggregated,
} from './discovery.js';
import { serveCollection, serveItem } from './rest.js';
import { openApiRoot, openApiV3CoreV1 } from './openapi.js';
import { OPENAPI_V2_PROTOBUF, openApiV2Protobuf } from './openapi-v2.js';

export interface SubresourceHandlers {
  /** GET pods/{name}/log and the like: takes over the response. */
  serve(namespace: string, name: string, subresource: string, req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<boolean>;
  /** exec/attach/portforward upgrades: takes over the socket; throws a Status error to refuse. */
  upgrade(namespace: string, name: string, subresource: string, req: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams): void;
}

export interface KubeApiServer {
  readonly port: number;
  close(): Promise<void>;
}

interface Route {
  readonly store: ResourceStore;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
}

/** /api/v1/[namespaces/{ns}/]{resource}[/{name}[/{sub}]], where /api/v1/namespaces/{name} is a namespace itself. */
function route(stores: ReadonlyMap<string, ResourceStore>, parts: readonly string[], prefix = ''): Route | undefined {
  let rest = parts;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const store = stores.get(`${prefix}${rest[0] ?? ''}`);
  if (!store || rest.length > 3) return undefined;
  if (store.namespaced === false && namespace !== undefined) return undefined;
  return { store, namespace, name: rest[1], subresource: rest[2] };
}

/** The path's segments, decoded; a malformed escape is the client's error, not ours. */
function segments(path: string): string[] {
  try {
    return path
      .split('/')
      .slice(1)
      .map((p) => decodeURIComponent(p));
  } catch {
    throw badRequest(`${JSON.stringify(path)} is not a valid request path`);
  }
}

function sendJson(res: ServerResponse, code: number, value: unknown, contentType = 'application/json'): void {
  const body = JSON.stringify(value);
  res.writeHead(code, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

interface Api {
  readonly port: number;
  /** The core group's stores (/api/v1, and the OpenAPI documents). */
  readonly stores: readonly ResourceStore[];
  /** Every store, named groups included. */
  readonly all: readonly ResourceStore[];
  readonly byName: ReadonlyMap<string, ResourceStore>;
  readonly versions: ResourceVersions;
  readonly subresources: SubresourceHandlers;
}

/** /version, health, discovery and OpenAPI; false when the path is none of them. */
function serveFixedPath(api: Api, path: string, req: IncomingMessage, res: ServerResponse): boolean {
  const aggregated = wantsAggregated(req.headers.accept);
  switch (path) {
    case '/version':
      sendJson(res, 200, versionInfo());
      return true;
    case '/healthz':
    case '/livez':
    case '/readyz':
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return true;
    case '/api':
      if (aggregated) sendJson(res, 200, aggregatedCore(api.all.filter((s) => s.groupVersion === undefined)), AGGREGATED_V2);
      else sendJson(res, 200, apiVersions(`127.0.0.1:${api.port}`));
      return true;
    case '/apis':
      if (aggregated) sendJson(res, 200, aggregatedGroups(api.all), AGGREGATED_V2);
      else sendJson(res, 200, apiGroupList(api.all));
      return true;
    case '/api/v1':
      sendJson(res, 200, apiResourceList(api.all.filter((s) => s.groupVersion === undefined)));
      return true;
    case '/openapi/v2': {
      const body = openApiV2Protobuf(api.stores);
      res.writeHead(200, { 'content-type': OPENAPI_V2_PROTOBUF, 'content-length': String(body.length) }).end(body);
      return true;
    }
    case '/openapi/v3':
      sendJson(res, 200, openApiRoot());
      return true;
    case '/openapi/v3/api/v1':
      sendJson(res, 200, openApiV3CoreV1(api.stores));
      return true;
    default: {
      const group = /^\/apis\/([^/]+\/[^/]+)$/.exec(path);
      const list = group ? groupResourceList(api.all, group[1] ?? '') : undefined;
      if (list) sendJson(res, 200, list);
      return list !== undefined;
    }
  }
}

async function serveRequest(api: Api, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (serveFixedPath(api, path, req, res)) return;
  const parts = segments(path);
  const r =
    parts[0] === 'api' && parts[1] === 'v1'
      ? route(api.byName, parts.slice(2))
      : parts[0] === 'apis' && parts.length >= 4
        ? route(api.byName, parts.slice(3), `${parts[1] ?? ''}/${parts[2] ?? ''}/`)
        : undefined;
  if (!r) throw pathNotFound();
  if (r.subresource !== undefined) {
    if (r.store.resource === 'pods' && (await api.subresources.serve(r.namespace ?? 'default', r.name ?? '', r.subresource, req, res, controller.signal)))
      return;
    throw pathNotFound();
  }
  const request = {
    store: r.store,
    versions: api.versions,
    namespace: r.store.namespaced ? r.namespace : undefined,
    name: r.name,
    query: url.searchParams,
    signal: controller.signal,
  };
  if (r.name === undefined) await serveCollection(req, res, request);
  else await serveItem(req, res, { ...request, namespace: r.store.namespaced ? (r.namespace ?? 'default') : undefined });
}

/** exec/attach/portforward upgrades; a refusal is a plain HTTP answer with the Status. */
function serveUpgrade(api: Api, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => undefined);
  try {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const parts = segments(url.pathname);
    const r =
      parts[0] === 'api' && parts[1] === 'v1'
        ? route(api.byName, parts.slice(2))
        : parts[0] === 'apis' && parts.length >= 4
          ? route(api.byName, parts.slice(3), `${parts[1] ?? ''}/${parts[2] ?? ''}/`)
          : undefined;
    if (!r || r.store.resource !== 'pods' || r.subresource === undefined) throw pathNotFound();
    api.subresources.upgrade(r.namespace ?? 'default', r.name ?? '', r.subresource, req, socket, head, url.searchParams);
  } catch (err) {
    const status = toStatus(err);
    const body = JSON.stringify(status);
    socket.end(
      `HTTP/1.1 ${status.code} ${status.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const inUse = err.code === 'EADDRINUSE';
      reject(
        inUse
          ? new PeapodError('Unavailable', `Kubernetes API: 127.0.0.1:${port} is already in use`, {
              hint: 'set PEAPOD_KUBE_API_PORT (--kube-api-port) to a free port, or empty to disable it',
              cause: err,
            })
          : err,
      );
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export async function startKubeApiServer(
  port: number,
  credentials: KubeApiCredentials,
  stores: readonly ResourceStore[],
  subresources: SubresourceHandlers,
  log: (message: string) => void,
  groupStores: readonly ResourceStore[] = [],
): Promise<KubeApiServer> {
  const all = [...stores, ...groupStores];
  const byName = new Map(all.map((s) => [s.groupVersion ? `${s.groupVersion}/${s.resource}` : s.resource, s]));
  const api: Api = { port, stores, all, byName, versions: new ResourceVersions(), subresources };
  const server: Server = createServer({
    key: credentials.serverKey,
    cert: credentials.serverCert,
    ca: credentials.caCert,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    serveRequest(api, req, res).catch((err: unknown) => {
      const status = toStatus(err);
      if (status.code >= 500) log(`kube API ${req.method ?? ''} ${req.url ?? ''}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!res.headersSent) sendJson(res, status.code, status);
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => serveUpgrade(api, req, socket, head));
  server.on('tlsClientError', () => undefined);
  const sockets = new Set<Socket>();
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await listen(server, port);
  return {
    port,
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
