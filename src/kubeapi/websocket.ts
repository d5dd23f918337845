// WebSocket upgrades of pods/exec, attach and portforward (kubectl 1.30+ tries these first).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Runtime } from '../runtime/runtime.js';
import type { StreamingHandler, StreamingRequest } from '../cri/streaming/server.js';

export function upgradeWebSocket(_req: IncomingMessage, socket: Duplex, _head: Buffer, _request: StreamingRequest, _runtime: Runtime, _sessions: StreamingHandler, _log: (m: string) => void): void {
  const message = 'websocket streaming is not served yet: use SPDY';
  socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\nConnection: close\r\n\r\n${message}`);
}
