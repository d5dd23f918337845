// The daemon's local API: HTTP/1.1 over a unix socket (mode 0600, so only root talks to it).
// Routes are plain async functions; this file only translates between HTTP and them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PeapodError, errorCode, errorMessage, httpStatusOf, isErrnoException } from '../common/errors.js';
import { NDJSON, type WireError } from './wire.js';
import { metrics } from '../common/metrics.js';
import { listenOwnerOnly } from '../host/unix-listen.js';
import { socketAnswers } from './socket-probe.js';

// The CLI imports the probe from its own module (without http's server side); others from here.
export { socketAnswers };

export interface RequestContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

export type JsonHandler = (ctx: RequestContext) => Promise<unknown>;
export type StreamHandler = (ctx: RequestContext, emit: (event: unknown) => void) => Promise<unknown>;
/** Takes over the raw response (e.g. an upgraded connection or a byte stream). */
export type RawHandler = (ctx: RequestContext, req: IncomingMessage, res: ServerResponse) => Promise<void>;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type Route = { kind: 'json'; handler: JsonHandler } | { kind: 'stream'; handler: StreamHandler } | { kind: 'raw'; handler: RawHandler };

interface CompiledRoute {
  readonly method: Method;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly route: Route;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Checks a decoded URL parameter before any handler sees it; throws (InvalidArgument) to refuse it. */
export type ParamCheck = (value: string) => void;

export class ApiRouter {
  private readonly routes: CompiledRoute[] = [];
  private readonly checks = new Map<string, ParamCheck>();

  /** Every route's `:name` parameter goes through `check` (e.g. names that must be DNS names, never paths). */
  param(name: string, check: ParamCheck): void {
    this.checks.set(name, check);
  }

  json(method: Method, path: string, handler: JsonHandler): void {
    this.add(method, path, { kind: 'json', handler });
  }
  stream(method: Method, path: string, handler: StreamHandler): void {
    this.add(method, path, { kind: 'stream', handler });
  }
  raw(method: Method, path: string, handler: RawHandler): void {
    this.add(method, path, { kind: 'raw', handler });
  }

  private add(method: Method, path: string, route: Route): void {
    const names: string[] = [];
    const source = path.replace(/:([a-zA-Z]+)/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, route });
  }

  /** The route and its decoded, checked parameters; throws InvalidArgument for a parameter it refuses. */
  match(method: string, pathname: string): { route: Route; params: Record<string, string> } | undefined {
    for (const candidate of this.routes) {
      if (candidate.method !== method) continue;
      const m = candidate.pattern.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      candidate.names.forEach((name, i) => {
        const raw = m[i + 1] ?? '';
        let value: string;
        try {
          value = decodeURIComponent(raw);
        } catch (err) {
          throw new PeapodError('InvalidArgument', `${name}: ${JSON.stringify(raw)} is not valid percent-encoding`, { cause: err });
        }
        this.checks.get(name)?.(value);
        params[name] = value;
      });
      return { route: candidate.route, params };
    }
    return undefined;
  }
}

function toWireError(err: unknown): WireError {
  const code = errorCode(err);
  metrics.errors.inc({ kind: code });
  const hint = err instanceof PeapodError ? err.hint : undefined;
  return hint === undefined ? { code, message: errorMessage(err) } : { code, message: errorMessage(err), hint };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  // Refused before reading: a client that announces too much must not keep the request waiting for it.
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw new PeapodError('InvalidArgument', `request body larger than ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new PeapodError('InvalidArgument', `request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err) {
    throw new PeapodError('InvalidArgument', 'request body is not valid JSON', { cause: err });
  }
}

/**
 * The path as sent, without a WHATWG URL's dot-segment normalisation: `pods/..` or `pods/%2e%2e` stays a
 * (refused) name instead of quietly becoming the route above it. Absolute-form targets are parsed as URLs.
 */
function parseRequestUrl(target: string | undefined): { pathname: string; query: URLSearchParams } {
  const raw = target ?? '/';
  if (raw.startsWith('/')) {
    const q = raw.indexOf('?');
    return { pathname: q < 0 ? raw : raw.slice(0, q), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
  }
  try {
    const url = new URL(raw);
    return { pathname: url.pathname, query: url.searchParams };
  } catch (err) {
    throw new PeapodError('InvalidArgument', `${JSON.stringify(raw)} is not a valid request URL`, { cause: err });
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value ?? null);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Serves one request through the router (also the dashboard's read-only door to the same routes). */
export async function handle(router: ApiRouter, req: IncomingMessage, res: ServerResponse, onError: (err: unknown) => void): Promise<void> {
  let url: { pathname: string; query: URLSearchParams };
  let matched: ReturnType<ApiRouter['match']>;
  try {
    url = parseRequestUrl(req.url);
    matched = router.match(req.method ?? 'GET', url.pathname);
  } catch (err) {
    sendJson(res, httpStatusOf(errorCode(err)), { error: toWireError(err) });
    return;
  }
  if (!matched) {
    sendJson(res, 404, { error: { code: 'NotFound', message: `no route ${req.method ?? ''} ${url.pathname}` } });
    return;
  }
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  const { route, params } = matched;
  let body: unknown;
  try {
    body = route.kind === 'raw' ? undefined : await readBody(req);
  } catch (err) {
    sendJson(res, 400, { error: toWireError(err) });
    return;
  }
  const ctx: RequestContext = { params, query: url.query, body, signal: controller.signal };
  if (route.kind === 'json') {
    try {
      const result = await route.handler(ctx);
      sendJson(res, 200, { result: result ?? null });
    } catch (err) {
      if (errorCode(err) === 'Internal') onError(err);
      sendJson(res, httpStatusOf(errorCode(err)), { error: toWireError(err) });
    }
    return;
  }
  if (route.kind === 'stream') {
    // The 200 goes out with the first line: a request refused before any event gets its own 4xx status.
    const start = (): void => {
      if (!res.headersSent) res.writeHead(200, { 'content-type': NDJSON });
    };
    const emit = (event: unknown): void => {
      if (res.writableEnded) return;
      start();
      res.write(`${JSON.stringify({ event })}\n`);
    };
    try {
      const result = await route.handler(ctx, emit);
      start();
      res.end(`${JSON.stringify({ result: result ?? null })}\n`);
    } catch (err) {
      if (errorCode(err) === 'Internal') onError(err);
      if (!res.headersSent) sendJson(res, httpStatusOf(errorCode(err)), { error: toWireError(err) });
      else res.end(`${JSON.stringify({ error: toWireError(err) })}\n`);
    }
    return;
  }
  try {
    await route.handler(ctx, req, res);
  } catch (err) {
    onError(err);
    if (!res.headersSent) sendJson(res, httpStatusOf(errorCode(err)), { error: toWireError(err) });
    else res.destroy();
  }
}

export class DaemonAlreadyRunning extends PeapodError {
  constructor(socket: string) {
    super('AlreadyExists', `a peapod daemon already answers on ${socket}`);
  }
}

/** Serves on a listening socket inherited from systemd (peapod.socket made it, with its mode). */
export async function listenInherited(router: ApiRouter, fd: number, onError: (err: unknown) => void): Promise<Server> {
  const server = createServer((req, res) => {
    handle(router, req, res, onError).catch(onError);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ fd }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Listens on the unix socket, replacing a stale socket file but never a live daemon's. */
export async function listenUnix(router: ApiRouter, socketPath: string, onError: (err: unknown) => void): Promise<Server> {
  await mkdir(dirname(socketPath), { recursive: true, mode: 0o700 });
  if (await socketAnswers(socketPath)) throw new DaemonAlreadyRunning(socketPath);
  try {
    await rm(socketPath, { force: true });
  } catch (err) {
    if (!isErrnoException(err, 'ENOENT')) throw err;
  }
  const server = createServer((req, res) => {
    handle(router, req, res, onError).catch(onError);
  });
  server.keepAliveTimeout = 5000;
  // Created 0600 whatever the umask (the umask narrowed only around the bind), then chmod to be sure.
  await listenOwnerOnly(server, socketPath);
  await chmod(socketPath, 0o600);
  return server;
}
