// Server-sent events: the page's EventSource gets every change pushed; a comment line every few
// seconds keeps idle connections from being cut by anything in between and notices a gone client.
import type { IncomingMessage, ServerResponse } from 'node:http';

const KEEPALIVE_MS = 15_000;

export interface EventChannel {
  send(event: string, data: unknown): void;
  /** Runs once when the client goes away. */
  onClose(fn: () => void): void;
  readonly closed: boolean;
}

export function openEventStream(req: IncomingMessage, res: ServerResponse): EventChannel {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.write(': peapod\n\n');
  const closers: (() => void)[] = [];
  let closed = false;
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    for (const fn of closers) fn();
  };
  req.on('close', close);
  res.on('close', close);
  return {
    send(event, data) {
      if (closed || res.writableEnded) return;
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    onClose(fn) {
      if (closed) fn();
      else closers.push(fn);
    },
    get closed() {
      return closed;
    },
  };
}
