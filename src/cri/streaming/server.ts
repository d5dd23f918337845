// The CRI streaming server: Exec, Attach and PortForward answer with a one-time URL on this HTTP server
// (as the kubelet's pkg/kubelet/cri/streaming does for containerd and CRI-O); the client upgrades its
// request to SPDY/3.1 and speaks remotecommand or portforward. Tokens are random, single-use and expire
// after a minute; the server listens on loopback by default, since a URL holder gets a shell.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { PeapodError } from '../../common/errors.js';
import { SpdyConnection } from './spdy/connection.js';
import { PORTFORWARD_V1, REMOTECOMMAND_V4, negotiateProtocol } from './remotecommand.js';

/** The kubelet's request cache: one minute, bounded. */
export const TOKEN_TTL_MS = 60_000;
export const MAX_PENDING_TOKENS = 1000;
const TOKEN_BYTES = 12;

export interface ExecRequest {
  readonly kind: 'exec';
  readonly containerId: string;
  readonly cmd: readonly string[];
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

export interface AttachRequest {
  readonly kind: 'attach';
  readonly containerId: string;
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

export interface PortForwardRequest {
  readonly kind: 'portforward';
  readonly sandboxId: string;
}

export type StreamingRequest = ExecRequest | AttachRequest | PortForwardRequest;

/** What serves an upgraded connection; it owns the connection until it closes it. */
export type StreamingHandler = (request: StreamingRequest, connection: SpdyConnection) => Promise<void>;

const PROTOCOLS: Record<StreamingRequest['kind'], readonly string[]> = {
  exec: [REMOTECOMMAND_V4],
  attach: [REMOTECOMMAND_V4],
  portforward: [PORTFORWARD_V1],
};

export class StreamingServer {
  private readonly pending = new Map<string, { request: StreamingRequest; expires: number }>();
  private readonly connections = new Set<SpdyConnection>();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly handler: StreamingHandler,
    private readonly log: (message: string) => void,
    private readonly now: () => number,
  ) {
    server.on('request', (_req, res) => {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('this endpoint only serves SPDY/3.1 upgrade requests\n');
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(req, socket, head));
  }

  /** address is host:port; port 0 picks a free one. */
  static async start(address: string, handler: StreamingHandler, log: (message: string) => void, now: () => number = Date.now): Promise<StreamingServer> {
    const match = /^(.*):(\d+)$/.exec(address);
    if (!match) throw new PeapodError('InvalidArgument', `streaming address ${JSON.stringify(address)}: expected host:port (e.g. 127.0.0.1:0)`);
    const host = (match[1] ?? '').replace(/^\[(.*)\]$/, '$1');
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(match[2]), host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    return new StreamingServer(server, `http://${urlHost}:${port}`, handler, log, now);
  }

  /** Registers a request and returns the one-time URL the client will upgrade. */
  url(request: StreamingRequest): string {
    const now = this.now();
    for (const [token, entry] of this.pending) if (entry.expires <= now) this.pending.delete(token);
    if (this.pending.size >= MAX_PENDING_TOKENS) {
      throw new PeapodError('ResourceExhausted', `${MAX_PENDING_TOKENS} streaming requests are already waiting for their client; try again in a minute`);
    }
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    this.pending.set(token, { request, expires: now + TOKEN_TTL_MS });
    return `${this.baseUrl}/${request.kind}/${token}`;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.destroy();
    this.connections.clear();
    this.pending.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private take(kind: string, token: string): StreamingRequest | undefined {
    const entry = this.pending.get(token);
    if (!entry || entry.request.kind !== kind) return undefined;
    this.pending.delete(token);
    return entry.expires > this.now() ? entry.request : undefined;
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => undefined);
    const refuse = (status: string, message: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\nConnection: close\r\n\r\n${message}`);
    };
    const match = /^\/(exec|attach|portforward)\/([A-Za-z0-9_-]+)$/.exec((req.url ?? '').split('?')[0] ?? '');
    const request = match ? this.take(match[1] ?? '', match[2] ?? '') : undefined;
    if (!request) {
      refuse('404 Not Found', 'unknown or expired streaming token\n');
      return;
    }
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'spdy/3.1') {
      refuse('400 Bad Request', `unsupported upgrade ${JSON.stringify(req.headers.upgrade ?? '')}: this server speaks SPDY/3.1\n`);
      return;
    }
    const protocol = negotiateProtocol(req.headers['x-stream-protocol-version'], PROTOCOLS[request.kind]);
    if (protocol === undefined) {
      refuse(
        '403 Forbidden',
        `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(req.headers['x-stream-protocol-version'] ?? [])}, server supports ${JSON.stringify(PROTOCOLS[request.kind])}\n`,
      );
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
    const connection = new SpdyConnection(socket, 'server', head);
    this.connections.add(connection);
    connection.on('close', () => this.connections.delete(connection));
    this.handler(request, connection).catch((err: unknown) => {
      this.log(`streaming ${request.kind}: ${err instanceof Error ? err.message : String(err)}`);
      connection.destroy();
    });
  }
}
