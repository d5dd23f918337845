// The Kubernetes remotecommand protocol (v4.channel.k8s.io) over SPDY, as the kubelet's streaming
// server speaks it to kubectl and crictl: the client opens one stream per channel, named by its
// `streamtype` header; the server waits for the set the request asked for, runs the command, and ends
// with a metav1.Status on the error stream (NonZeroExitCode with an ExitCode cause for a failed command).
import type { SpdyConnection, SpdyStream } from './spdy/connection.js';

export const REMOTECOMMAND_V4 = 'v4.channel.k8s.io';
export const PORTFORWARD_V1 = 'portforward.k8s.io';
/** How long the client gets to open the streams it asked for (the kubelet's default is 30 s). */
export const STREAM_CREATION_TIMEOUT_MS = 30_000;
/** A resize message is a small JSON object; a client sending more without a newline is broken. */
const MAX_RESIZE_LINE = 4096;

export interface StreamOptions {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

export interface RemoteStreams {
  readonly error: SpdyStream;
  readonly stdin?: SpdyStream;
  readonly stdout?: SpdyStream;
  readonly stderr?: SpdyStream;
  readonly resize?: SpdyStream;
}

/** The first protocol the client offers that the server speaks, as httpstream.Handshake picks it. */
export function negotiateProtocol(offered: string | string[] | undefined, supported: readonly string[]): string | undefined {
  const list = (Array.isArray(offered) ? offered : [offered ?? '']).flatMap((v) => v.split(',')).map((v) => v.trim());
  return list.find((p) => supported.includes(p));
}

/** With a TTY there is no stderr channel (the terminal merges it) and there is a resize channel. */
export function expectedStreamTypes(options: StreamOptions): string[] {
  const types = ['error'];
  if (options.stdin) types.push('stdin');
  if (options.stdout) types.push('stdout');
  if (options.stderr && !options.tty) types.push('stderr');
  if (options.tty) types.push('resize');
  return types;
}

export function collectStreams(connection: SpdyConnection, options: StreamOptions, timeoutMs = STREAM_CREATION_TIMEOUT_MS): Promise<RemoteStreams> {
  const expected = expectedStreamTypes(options);
  const got = new Map<string, SpdyStream>();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`timed out waiting for the client to open the ${expected.filter((t) => !got.has(t)).join(', ')} stream(s)`)),
      timeoutMs,
    );
    const onStream = (stream: SpdyStream): void => {
      const type = stream.header('streamtype') ?? '';
      if (!expected.includes(type) || got.has(type)) {
        stream.destroy();
        return;
      }
      got.set(type, stream);
      if (got.size === expected.length) finish(undefined);
    };
    const onClose = (): void => finish(new Error('the client closed the connection before opening its streams'));
    const finish = (err: Error | undefined): void => {
      clearTimeout(timer);
      connection.off('stream', onStream);
      connection.off('close', onClose);
      if (err) reject(err);
      else {
        const error = got.get('error');
        if (!error) throw new Error('unreachable: the error stream is always expected');
        const optional = (type: string): { [key: string]: SpdyStream } => {
          const s = got.get(type);
          return s ? { [type]: s } : {};
        };
        resolve({ error, ...optional('stdin'), ...optional('stdout'), ...optional('stderr'), ...optional('resize') });
      }
    };
    connection.on('stream', onStream);
    connection.on('close', onClose);
  });
}

/** metav1.Status as the v4 error channel carries it. */
export function statusJson(exitCode: number | undefined, failure?: string): string {
  if (failure !== undefined) return JSON.stringify({ metadata: {}, status: 'Failure', message: failure, reason: 'InternalError', code: 500 });
  if (exitCode === 0 || exitCode === undefined) return JSON.stringify({ metadata: {}, status: 'Success' });
  return JSON.stringify({
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  });
}

export interface TerminalSize {
  readonly width: number;
  readonly height: number;
}

/** Calls onSize for each `{"Width":w,"Height":h}` object on the resize stream (newline-separated, as Go's json.Encoder writes them). */
export function readResizeEvents(stream: SpdyStream, onSize: (size: TerminalSize) => void): void {
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== '') {
        const size = parseSize(line);
        if (size) onSize(size);
      }
      newline = pending.indexOf('\n');
    }
    if (pending.length > MAX_RESIZE_LINE) pending = '';
  });
  stream.on('error', () => undefined);
}

function parseSize(line: string): TerminalSize | undefined {
  try {
    const v = JSON.parse(line) as { Width?: unknown; Height?: unknown };
    const width = Number(v.Width);
    const height = Number(v.Height);
    const ok = (n: number): boolean => Number.isInteger(n) && n > 0 && n <= 0xffff;
    return ok(width) && ok(height) ? { width, height } : undefined;
  } catch {
    return undefined;
  }
}
