// The web dashboard: an HTTP server on a loopback port, opened by `peapod dashboard` (never before), that
// serves the page and pushes the daemon's state to it. Every request is checked the same way first
// (auth.ts): Host is ours, a session cookie got from the one-time token, and for a WebSocket an Origin
// that is ours. The read-only API (GET routes of the daemon's own router) is reachable under /api/v1.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { handle, type ApiRouter } from '../api/server.js';
import { PeapodError, errorMessage, httpStatusOf, errorCode } from '../common/errors.js';
import type { PodManager } from '../kubelet/manager.js';
import type { RuntimeService } from '../runtime/service.js';
import { DashboardAuth } from './auth.js';
import { readCgroupTree } from './cgroup-tree.js';
import { UsageSampler, streamPodLinux, streamPods } from './live.js';
import { StaticAssets } from './static.js';
import { TerminalServer } from './terminal.js';

const SECURITY_HEADERS = {
  // xterm.js and uPlot set styles from script (CSSOM and a generated <style>); scripts stay 'self' only.
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // The first URL carries the token: it must not leave in a Referer.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

export interface DashboardDeps {
  readonly router: ApiRouter;
  readonly pods: PodManager;
  readonly runtime: RuntimeService;
  /** host:port to listen on; the host must be a loopback address. */
  readonly address: string;
  /** The QoS parent of every pod cgroup (`<cgroupRoot>/kubepods`). */
  readonly kubepodsCgroup: string;
  readonly log: (message: string) => void;
}

export interface DashboardOpenResult {
  readonly url: string;
}

export function parseLoopbackAddress(address: string): { host: string; port: number } {
  const m = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost):(\d{1,5})$/.exec(address);
  const port = Number(m?.[2]);
  if (!m || port > 65535)
    throw new PeapodError(
      'InvalidArgument',
      `PEAPOD_DASHBOARD_ADDRESS: ${JSON.stringify(address)} must be 127.x.y.z:<port> or localhost:<port> (the dashboard is loopback only)`,
    );
  return { host: m[1] === 'localhost' ? '127.0.0.1' : (m[1] ?? '127.0.0.1'), port };
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${message}\n`);
}

export class Dashboard {
  private server: Server | undefined;
  private port = 0;
  private readonly auth = new DashboardAuth(() => this.port);
  private readonly assets = new StaticAssets(fileURLToPath(new URL('./ui/', import.meta.url)));
  private readonly terminals: TerminalServer;
  private readonly sampler: UsageSampler;

  constructor(private readonly deps: DashboardDeps) {
    this.terminals = new TerminalServer(deps.pods);
    this.sampler = new UsageSampler(deps.pods, deps.runtime);
  }

  /** Starts serving on first use and hands out a fresh one-time login URL. */
  async open(): Promise<DashboardOpenResult> {
    if (!this.server) await this.listen();
    return { url: `http://127.0.0.1:${this.port}/?token=${this.auth.issueToken()}` };
  }

  private async listen(): Promise<void> {
    const { host, port } = parseLoopbackAddress(this.deps.address);
    await this.assets.load().catch((err: unknown) => {
      throw new PeapodError('FailedPrecondition', `dashboard assets missing (${errorMessage(err)})`, { hint: 'run `npm run build`' });
    });
    const server = createServer((req, res) => void this.request(req, res).catch((err: unknown) => this.fail(res, err)));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(
          new PeapodError('FailedPrecondition', `dashboard: cannot listen on ${this.deps.address}: ${errorMessage(err)}`, {
            hint: 'set PEAPOD_DASHBOARD_ADDRESS=127.0.0.1:<free port> for the daemon',
            cause: err,
          }),
        ),
      );
      server.listen(port, host, () => resolve());
    });
    const bound = server.address();
    this.port = typeof bound === 'object' && bound !== null ? bound.port : port;
    this.server = server;
    this.deps.log(`dashboard listening on http://127.0.0.1:${this.port}/`);
  }

  private fail(res: ServerResponse, err: unknown): void {
    if (errorCode(err) === 'Internal') this.deps.log(`dashboard: ${errorMessage(err)}`);
    if (!res.headersSent) refuse(res, httpStatusOf(errorCode(err)), errorMessage(err));
    else res.destroy();
  }

  private async request(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.auth.hostAllowed(req)) return refuse(res, 421, 'wrong Host: open the dashboard as http://127.0.0.1:<port>/');
    if (!this.auth.fetchSiteAllowed(req)) return refuse(res, 403, 'refused: a request from another site');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    if (req.method === 'GET' && url.pathname === '/' && url.searchParams.has('token')) return this.login(url.searchParams.get('token') ?? '', res);
    if (!this.auth.hasSession(req)) return refuse(res, 401, 'no session: run `peapod dashboard` and open the URL it prints');
    if (req.method !== 'GET') return refuse(res, 405, 'the dashboard is read-only over HTTP');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (url.pathname === '/') return void this.assets.serve('/index.html', res);
    if (this.assets.serve(url.pathname, res)) return;
    if (url.pathname === '/api/events') return streamPods(this.deps.pods, this.sampler, req, res);
    if (url.pathname === '/api/cgroups') return sendJson(res, await readCgroupTree(this.deps.kubepodsCgroup, this.deps.pods, this.deps.runtime));
    const live = podPath(url.pathname, 'live');
    if (live) return streamPodLinux(this.sampler, this.deps.pods, live.namespace, live.name, req, res);
    if (url.pathname.startsWith('/api/v1/')) {
      // The daemon's own GET routes (pods, describe, logs, images): same code, same checks, read-only.
      req.url = (req.url ?? '').slice('/api'.length);
      return handle(this.deps.router, req, res, (err) => this.deps.log(`dashboard api: ${errorMessage(err)}`));
    }
    refuse(res, 404, `no such page ${url.pathname}`);
  }

  private login(token: string, res: ServerResponse): void {
    const session = this.auth.redeem(token);
    if (session === undefined) return refuse(res, 403, 'this login link was already used or has expired: run `peapod dashboard` again');
    res.writeHead(303, { ...SECURITY_HEADERS, 'set-cookie': this.auth.sessionCookie(session), location: '/' });
    res.end();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A client resetting mid-handshake must not become an unhandled 'error' in the daemon.
    socket.on('error', () => undefined);
    const deny = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    if (!this.auth.hostAllowed(req)) return deny('421 Misdirected Request');
    if (!this.auth.originAllowed(req) || !this.auth.fetchSiteAllowed(req)) return deny('403 Forbidden');
    if (!this.auth.hasSession(req)) return deny('401 Unauthorized');
    let target: { namespace: string; name: string } | undefined;
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
      target = podPath(url.pathname, 'exec');
    } catch {
      return deny('400 Bad Request');
    }
    if (!target) return deny('404 Not Found');
    const command = url.searchParams.getAll('command');
    const container = url.searchParams.get('container');
    this.terminals.upgrade(req, socket, head, {
      ...target,
      container: container === null || container === '' ? undefined : container,
      command: command.length > 0 ? command : ['sh'],
    });
  }

  async close(): Promise<void> {
    this.terminals.close();
    this.sampler.stop();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** `/api/pods/<namespace>/<name>/<verb>`, decoded; throws InvalidArgument for broken percent-encoding. */
function podPath(pathname: string, verb: string): { namespace: string; name: string } | undefined {
  const m = /^\/api\/pods\/([^/]+)\/([^/]+)\/([a-z]+)$/.exec(pathname);
  if (!m || m[3] !== verb) return undefined;
  try {
    return { namespace: decodeURIComponent(m[1] ?? ''), name: decodeURIComponent(m[2] ?? '') };
  } catch (err) {
    throw new PeapodError('InvalidArgument', `${pathname}: not valid percent-encoding`, { cause: err });
  }
}

function sendJson(res: ServerResponse, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
