// A streaming client as crictl's client-go is one: an HTTP/1.1 upgrade to SPDY/3.1 on the URL Exec,
// Attach or PortForward returned, then one SPDY stream per channel. Built on peapod's own SPDY codec,
// whose wire format the unit tests check byte by byte against the spec.
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import { SpdyConnection, type SpdyStream } from '../../src/cri/streaming/spdy/connection.js';

export interface UpgradeResult {
  readonly status: number;
  readonly headers: string;
  readonly connection?: SpdyConnection;
}

export async function upgrade(url: string, protocols: readonly string[]): Promise<UpgradeResult> {
  const u = new URL(url);
  const socket = connect(Number(u.port), u.hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const protocolHeaders = protocols.map((p) => `X-Stream-Protocol-Version: ${p}\r\n`).join('');
  socket.write(`POST ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n${protocolHeaders}Content-Length: 0\r\n\r\n`);
  let buffered = Buffer.alloc(0);
  const end = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const at = buffered.indexOf('\r\n\r\n');
      if (at >= 0) {
        socket.off('data', onData);
        resolve(at + 4);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('end', () => resolve(buffered.length));
  });
  const headers = buffered.subarray(0, end).toString('latin1');
  const status = Number(/^HTTP\/1\.1 (\d+)/.exec(headers)?.[1] ?? 0);
  if (status !== 101) {
    socket.destroy();
    return { status, headers };
  }
  return { status, headers, connection: new SpdyConnection(socket, 'client', buffered.subarray(end)) };
}

export function collect(stream: Readable | undefined): Promise<string> {
  if (!stream) return Promise.resolve('');
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    stream.once('end', () => resolve(text));
    stream.once('close', () => resolve(text));
    stream.once('error', () => resolve(text));
  });
}

/** Resolves once the stream's accumulated output matches, or rejects after timeoutMs. */
export function waitForOutput(stream: SpdyStream, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`timed out waiting for ${String(pattern)}; got ${JSON.stringify(text.slice(-500))}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      if (pattern.test(text)) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(text);
      }
    };
    stream.on('data', onData);
  });
}

export function headers(entries: Record<string, string>): Map<string, string[]> {
  return new Map(Object.entries(entries).map(([k, v]) => [k, [v]]));
}
