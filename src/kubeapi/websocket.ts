// WebSocket upgrades of pods/exec, attach and portforward, which kubectl 1.30+ tries before SPDY:
// - exec/attach speak v5.channel.k8s.io (or v4): every binary message starts with its channel byte
//   (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize; v5 adds 255 = "the client closed channel N").
//   The channels are offered to the CRI streaming session as if they were SPDY streams, so exec and
//   attach run the very same code whichever transport the client chose.
// - portforward speaks SPDY/3.1+portforward.k8s.io: SPDY frames tunnelled in binary messages, handed to
//   the same SPDY connection and port-forward session.
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream, type RawData, type WebSocket } from 'ws';
import type { RuntimeService } from '../runtime/service.js';
import { SpdyConnection } from '../cri/streaming/spdy/connection.js';
import type { StreamingHandler, StreamingRequest } from '../cri/streaming/server.js';

const REMOTECOMMAND_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const PORTFORWARD_TUNNEL = 'SPDY/3.1+portforward.k8s.io';
const CHANNELS: Readonly<Record<string, number>> = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4 };
const CLOSE_SIGNAL = 255;

/** One remotecommand channel as a stream with the `streamtype` header a SPDY stream would carry. */
class ChannelStream extends Duplex {
  constructor(
    private readonly ws: WebSocket,
    private readonly type: string,
  ) {
    super();
  }
  header(name: string): string | undefined {
    return name === 'streamtype' ? this.type : undefined;
  }
  override _read(): void {
    /* data is pushed as messages arrive */
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.ws.readyState !== this.ws.OPEN) {
      done();
      return;
    }
    this.ws.send(Buffer.concat([Buffer.from([CHANNELS[this.type] ?? 0]), chunk]), { binary: true }, () => done());
  }
}

/** Looks like the SpdyConnection the sessions expect: emits the requested streams, then 'close'. */
class ChannelConnection extends EventEmitter {
  readonly streams = new Map<number, ChannelStream>();
  constructor(private readonly ws: WebSocket) {
    super();
    ws.on('message', (data: RawData) => this.onMessage(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer)));
    ws.on('close', () => {
      for (const s of this.streams.values()) s.destroy();
      this.emit('close');
    });
    ws.on('error', () => undefined);
  }
  open(types: readonly string[]): void {
    for (const type of types) {
      const stream = new ChannelStream(this.ws, type);
      stream.on('error', () => undefined);
      this.streams.set(CHANNELS[type] ?? -1, stream);
      this.emit('stream', stream);
    }
  }
  close(): void {
    this.ws.close(1000);
  }
  destroy(): void {
    this.ws.terminate();
  }
  private onMessage(data: Buffer): void {
    const channel = data[0];
    if (channel === undefined) return;
    if (channel === CLOSE_SIGNAL) {
      this.streams.get(data[1] ?? -1)?.push(null);
      return;
    }
    const stream = this.streams.get(channel);
    if (stream && (channel === CHANNELS['stdin'] || channel === CHANNELS['resize']) && data.length > 1) stream.push(data.subarray(1));
  }
}

function offered(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
}

export function upgradeWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  request: StreamingRequest,
  _runtime: RuntimeService,
  sessions: StreamingHandler,
  log: (m: string) => void,
): void {
  const supported = request.kind === 'portforward' ? [PORTFORWARD_TUNNEL] : REMOTECOMMAND_PROTOCOLS;
  const protocol = offered(req).find((p) => supported.includes(p));
  if (protocol === undefined) {
    // Not 101: kubectl takes this as an upgrade failure and falls back to SPDY.
    const message = `unable to upgrade: no supported subprotocol among ${JSON.stringify(offered(req))}, server supports ${JSON.stringify(supported)}`;
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\nConnection: close\r\n\r\n${message}`);
    return;
  }
  // ws parses the offered list as RFC 7230 tokens, which `SPDY/3.1+...` is not ('/' is a separator):
  // it gets a token to parse, and the answer names the real protocol.
  req.headers['sec-websocket-protocol'] = 'k8s';
  const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: () => protocol });
  server.handleUpgrade(req, socket, head, (ws) => {
    const fail = (err: unknown): void => {
      log(`kube API ${request.kind} over WebSocket: ${err instanceof Error ? err.message : String(err)}`);
      ws.terminate();
    };
    if (request.kind === 'portforward') {
      const tunnel = createWebSocketStream(ws) as Duplex & { setNoDelay?: () => void };
      tunnel.setNoDelay = () => undefined;
      tunnel.on('error', () => undefined);
      sessions(request, new SpdyConnection(tunnel as never, 'server')).catch(fail);
      return;
    }
    const connection = new ChannelConnection(ws);
    sessions(request, connection as unknown as SpdyConnection).catch(fail);
    const types = [
      'error',
      ...(request.stdin ? ['stdin'] : []),
      ...(request.stdout ? ['stdout'] : []),
      ...(request.stderr && !request.tty ? ['stderr'] : []),
      ...(request.tty ? ['resize'] : []),
    ];
    connection.open(types);
  });
}
