// What runs behind an upgraded streaming connection: exec (runc exec, with a pty when asked), attach
// (attach.ts) and port-forward (a byte pipe to 127.0.0.1:port in the pod's network namespace per data stream).
import { setTimeout as delay } from 'node:timers/promises';
import { errorMessage } from '../../common/errors.js';
import { spawnInteractive, spawnNetnsConnection, type InteractiveProcess } from '../../host/interactive.js';
import type { RuntimeService } from '../../runtime/service.js';
import { serveAttach } from './attach.js';
import { collectStreams, readResizeEvents, statusJson } from './remotecommand.js';
import { OUTPUT_DRAIN_MS, finish, pipeOut } from './session-io.js';
import type { SpdyConnection, SpdyStream } from './spdy/connection.js';
import type { ExecRequest, PortForwardRequest, StreamingHandler } from './server.js';

export function streamingSessions(runtime: RuntimeService, log: (message: string) => void): StreamingHandler {
  return async (request, connection) => {
    if (request.kind === 'exec') await serveExec(runtime, request, connection);
    else if (request.kind === 'attach') await serveAttach(runtime, request, connection);
    else servePortForward(runtime, request, connection, log);
  };
}

async function serveExec(runtime: RuntimeService, request: ExecRequest, connection: SpdyConnection): Promise<void> {
  const streams = await collectStreams(connection, request);
  const container = runtime.containers.get(request.containerId);
  if (container?.state !== 'running') {
    await finish(connection, streams, statusJson(undefined, `container ${request.containerId} is not running`));
    return;
  }
  let proc: InteractiveProcess;
  try {
    const argv = runtime.execCommand(container.id, request.cmd, { tty: request.tty, interactive: request.stdin });
    proc = spawnInteractive(argv, { tty: request.tty });
  } catch (err) {
    await finish(connection, streams, statusJson(undefined, errorMessage(err)));
    return;
  }
  connection.once('close', () => proc.kill());
  if (streams.stdin) streams.stdin.pipe(proc.stdin);
  else proc.stdin.end();
  if (streams.resize) readResizeEvents(streams.resize, (size) => void proc.resize(size.width, size.height).catch(() => undefined));
  const outputs = Promise.all([pipeOut(proc.stdout, streams.stdout), proc.stderr ? pipeOut(proc.stderr, streams.stderr) : Promise.resolve()]);
  const code = await proc.exited;
  // A process the command left behind may hold the terminal or pipes open forever: like Go's WaitDelay
  // (and src/host/exec.ts), the output gets a moment to drain, then the status goes out regardless.
  await Promise.race([outputs, delay(OUTPUT_DRAIN_MS)]);
  await finish(connection, streams, statusJson(code));
}

/**
 * The portforward.k8s.io protocol: for each forwarded connection the client opens an error stream and
 * a data stream with the same `requestid` and a `port` header; errors go back as text on the error stream.
 */
function servePortForward(runtime: RuntimeService, request: PortForwardRequest, connection: SpdyConnection, log: (message: string) => void): void {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
  connection.on('stream', (stream) => {
    const id = stream.header('requestid') ?? '';
    const type = stream.header('streamtype');
    const pair = pairs.get(id) ?? {};
    if (type === 'error') pair.error = stream;
    else if (type === 'data') pair.data = stream;
    else {
      stream.destroy();
      return;
    }
    pairs.set(id, pair);
    if (pair.error && pair.data) {
      pairs.delete(id);
      forward(runtime, request, pair.error, pair.data).catch((err: unknown) => log(`port-forward: ${errorMessage(err)}`));
    }
  });
}

async function forward(runtime: RuntimeService, request: PortForwardRequest, error: SpdyStream, data: SpdyStream): Promise<void> {
  error.resume();
  const port = Number(data.header('port'));
  const sandbox = runtime.sandboxes.get(request.sandboxId);
  const fail = (message: string): void => {
    error.end(message);
    data.end();
  };
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    fail(`invalid port ${JSON.stringify(data.header('port') ?? '')}`);
    return;
  }
  if (sandbox?.state !== 'ready') {
    fail(`pod sandbox ${request.sandboxId} is not ready`);
    return;
  }
  const proc =
    sandbox.netnsPath === undefined
      ? spawnInteractive(['busybox', 'nc', '127.0.0.1', String(port)], { tty: false })
      : spawnNetnsConnection(sandbox.netnsPath, port);
  data.pipe(proc.stdin);
  data.on('error', () => proc.kill());
  let stderr = '';
  proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const out = pipeOut(proc.stdout, data);
  const code = await proc.exited;
  await out;
  if (code !== 0) {
    fail(
      `error forwarding port ${port} to pod ${sandbox.id}: connection to 127.0.0.1:${port} in the pod's network namespace failed (${stderr.trim() || `exit ${code}`})`,
    );
    return;
  }
  data.end();
  error.end();
}
