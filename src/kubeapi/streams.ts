// pods/log, pods/exec, pods/attach and pods/portforward. Logs read the kubelet's files like `peapod logs`;
// the streaming verbs upgrade to SPDY/3.1 and hand the connection to the CRI streaming sessions (the
// same exec, attach and port-forward code crictl and kubelets reach), as an API server proxies them to
// the kubelet. A WebSocket upgrade is answered by websocket.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RuntimeService } from '../runtime/service.js';
import type { PodManager } from '../kubelet/manager.js';
import type { PodRecord } from '../kubelet/pod-record.js';
import { SpdyConnection } from '../cri/streaming/spdy/connection.js';
import { negotiateProtocol, PORTFORWARD_V1, REMOTECOMMAND_V4 } from '../cri/streaming/remotecommand.js';
import type { StreamingHandler, StreamingRequest } from '../cri/streaming/server.js';
import { badRequest, notFound } from './status.js';

export async function serveLog(pods: PodManager, record: PodRecord, query: URLSearchParams, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const container = query.get('container');
  const tail = query.get('tailLines');
  const log = pods.openLog(record, {
    ...(container !== null ? { container } : {}),
    previous: query.get('previous') === 'true',
    follow: query.get('follow') === 'true',
    timestamps: query.get('timestamps') === 'true',
    ...(tail !== null ? { tail: Number(tail) } : {}),
  });
  res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  await log.read((text) => res.write(text), signal);
  res.end();
}

const flag = (query: URLSearchParams, name: string): boolean => query.get(name) === 'true' || query.get(name) === '1';

/** The CRI streaming request a pods/exec|attach|portforward URL stands for; errors as Status. */
export function streamingRequest(runtime: RuntimeService, record: PodRecord, verb: string, query: URLSearchParams): StreamingRequest {
  const name = record.pod.metadata.name;
  if (verb === 'portforward') {
    if (record.sandboxId === undefined) throw badRequest(`pod ${name} does not have a host assigned`);
    return { kind: 'portforward', sandboxId: record.sandboxId };
  }
  const containerName = query.get('container') ?? record.pod.spec.containers[0]?.name ?? '';
  const all = [...record.pod.spec.containers, ...(record.pod.spec.initContainers ?? []), ...(record.pod.spec.ephemeralContainers ?? [])];
  if (!all.some((c) => c.name === containerName)) throw badRequest(`container ${containerName} is not valid for pod ${name}`);
  const id = record.containers[containerName]?.containerId;
  const container = id === undefined ? undefined : runtime.containers.get(id);
  if (!container || container.state !== 'running') throw badRequest(`container ${containerName} is not running`);
  const io = { stdin: flag(query, 'stdin'), stdout: flag(query, 'stdout'), stderr: flag(query, 'stderr'), tty: flag(query, 'tty') };
  if (verb === 'attach') return { kind: 'attach', containerId: container.id, ...io };
  const cmd = query.getAll('command');
  if (cmd.length === 0) throw badRequest('you must specify at least one command for the container');
  return { kind: 'exec', containerId: container.id, cmd, ...io };
}

/** Upgrades to SPDY/3.1 and runs the session; refusals go out as plain HTTP before any upgrade. */
export function upgradeSpdy(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  request: StreamingRequest,
  sessions: StreamingHandler,
  log: (m: string) => void,
): void {
  const supported = request.kind === 'portforward' ? [PORTFORWARD_V1] : [REMOTECOMMAND_V4];
  const protocol = negotiateProtocol(req.headers['x-stream-protocol-version'], supported);
  if (protocol === undefined) {
    const message = `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(req.headers['x-stream-protocol-version'] ?? [])}, server supports ${JSON.stringify(supported)}`;
    socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\nConnection: close\r\n\r\n${message}`);
    return;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  const connection = new SpdyConnection(socket as never, 'server', head);
  sessions(request, connection).catch((err: unknown) => {
    log(`kube API ${request.kind}: ${err instanceof Error ? err.message : String(err)}`);
    connection.destroy();
  });
}

export function podOrNotFound(pods: PodManager, namespace: string, name: string): PodRecord {
  const record = pods.find(namespace, name);
  if (!record) throw notFound('pods', name);
  return record;
}
