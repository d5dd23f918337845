// A fault-injecting HTTP proxy in front of a test registry: counts every request and, per rule, answers
// 500 or 404, corrupts a body, ends it early (chunked, so the length looks fine to HTTP) or cuts the
// connection mid-body (content-length kept, so the client sees a network error).
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultKind = 'status500' | 'status404' | 'corrupt' | 'truncate' | 'cut' | 'hang';

export interface FaultRule {
  readonly pathIncludes: string;
  readonly kind: FaultKind;
  /** How many matching requests get the fault (then it passes them through). */
  remaining: number;
  /** For truncate/cut: bytes sent before stopping. */
  readonly afterBytes?: number;
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly range: string | undefined;
  readonly fault: FaultKind | undefined;
}

export class FaultProxy {
  readonly requests: SeenRequest[] = [];
  private readonly rules: FaultRule[] = [];
  private server: Server | undefined;
  host = '';

  constructor(private readonly upstream: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  add(rule: Omit<FaultRule, 'remaining'> & { remaining?: number }): FaultRule {
    const full: FaultRule = { ...rule, remaining: rule.remaining ?? 1 };
    this.rules.push(full);
    return full;
  }

  clearRules(): void {
    this.rules.length = 0;
  }

  /** Requests (GET by default) whose path contains `part`. */
  count(part: string, method = 'GET'): number {
    return this.requests.filter((r) => r.method === method && r.path.includes(part)).length;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    const rule = this.rules.find((r) => r.remaining > 0 && path.includes(r.pathIncludes));
    if (rule) rule.remaining--;
    this.requests.push({ method: req.method ?? 'GET', path, range: req.headers.range, fault: rule?.kind });
    if (rule?.kind === 'status500' || rule?.kind === 'status404') {
      const status = rule.kind === 'status500' ? 500 : 404;
      const body = JSON.stringify({ errors: [{ code: status === 404 ? 'BLOB_UNKNOWN' : 'UNKNOWN', message: `injected ${status}` }] });
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      req.resume();
      return;
    }
    if (rule?.kind === 'hang') {
      req.resume();
      return;
    }
    const headers = { ...req.headers, host: this.upstream };
    const up = request({ host: this.upstream.split(':')[0], port: Number(this.upstream.split(':')[1]), method: req.method, path, headers }, (upRes) =>
      this.relay(upRes, res, rule),
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  }

  private relay(upRes: IncomingMessage, res: ServerResponse, rule: FaultRule | undefined): void {
    const headers = { ...upRes.headers };
    if (rule?.kind === 'truncate') delete headers['content-length'];
    res.writeHead(upRes.statusCode ?? 502, headers);
    let sent = 0;
    let flipped = false;
    upRes.on('data', (chunk: Buffer) => {
      if (rule?.kind === 'corrupt' && !flipped && chunk.length > 0) {
        const copy = Buffer.from(chunk);
        copy[0] = (copy[0] ?? 0) ^ 0xff;
        flipped = true;
        res.write(copy);
        return;
      }
      if ((rule?.kind === 'truncate' || rule?.kind === 'cut') && sent + chunk.length >= (rule.afterBytes ?? 0)) {
        res.write(chunk.subarray(0, Math.max(0, (rule.afterBytes ?? 0) - sent)));
        sent = rule.afterBytes ?? 0;
        upRes.destroy();
        if (rule.kind === 'truncate') res.end();
        else setTimeout(() => res.destroy(), 20);
        return;
      }
      sent += chunk.length;
      res.write(chunk);
    });
    upRes.on('end', () => res.end());
    upRes.on('error', () => res.destroy());
  }
}
