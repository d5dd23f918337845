// Attach, as containerd and CRI-O offer it. With stdin (the container created with stdin=true, so conmon
// runs with -i): a connection to conmon's attach socket carries the client's stdin to the container and
// the container's stdout/stderr back; the client closing stdin closes the container's when it was created
// stdin_once (conmon without --leave-stdin-open), and otherwise only detaches its stdin. Output only: the
// container's output followed from its CRI log, so that an output-only client never touches stdin (a
// conmon attach client hanging up closes a stdin_once container's stdin). Resizes go to conmon's control FIFO.
// The session ends when the container exits or the client hangs up (detach: the container keeps running);
// the status is Success unless attaching failed, as the kubelet's ServeAttach reports it.
import { setTimeout as delay } from 'node:timers/promises';
import { connectAttachSocket } from '../../host/attach-socket.js';
import { readLog } from '../../runtime/logs/reader.js';
import type { RuntimeService } from '../../runtime/service.js';
import type { ContainerRecord } from '../../runtime/types.js';
import { resizeMessage, sendConmonControl } from '../container_log.js';
import { collectStreams, readResizeEvents, statusJson, type RemoteStreams } from './remotecommand.js';
import { OUTPUT_DRAIN_MS, finish, pipeOut } from './session-io.js';
import type { SpdyConnection, SpdyStream } from './spdy/connection.js';
import type { AttachRequest } from './server.js';

export async function serveAttach(runtime: RuntimeService, request: AttachRequest, connection: SpdyConnection): Promise<void> {
  const streams = await collectStreams(connection, request);
  const container = runtime.containers.get(request.containerId);
  const sandbox = container === undefined ? undefined : runtime.sandboxes.get(container.sandboxId);
  if (!container || !sandbox || container.state !== 'running') {
    await finish(connection, streams, statusJson(undefined, `container ${request.containerId} is not running`));
    return;
  }
  if (streams.resize) {
    readResizeEvents(
      streams.resize,
      (size) => void sendConmonControl(container.id, container.dir, resizeMessage(size.width, size.height)).catch(() => undefined),
    );
  }
  if (streams.stdin && container.config.stdin) await attachToConmon(runtime, container, streams.stdin, streams, connection);
  else await followOutput(runtime, container, streams, connection);
}

async function attachToConmon(
  runtime: RuntimeService,
  container: ContainerRecord,
  stdin: SpdyStream,
  streams: RemoteStreams,
  connection: SpdyConnection,
): Promise<void> {
  const relay = connectAttachSocket(runtime.attachSocketPath(container.id));
  let detached = false;
  connection.once('close', () => {
    detached = true;
    relay.close();
  });
  stdin.pipe(relay.stdin);
  // With a TTY there is no stderr stream; the container's terminal sends everything as stdout anyway.
  const outputs = Promise.all([pipeOut(relay.stdout, streams.stdout), pipeOut(relay.stderr, streams.stderr ?? streams.stdout)]);
  const ended = await relay.exited;
  if (detached) return;
  await Promise.race([outputs, delay(OUTPUT_DRAIN_MS)]);
  const status = ended.error === undefined ? statusJson(0) : statusJson(undefined, `error attaching to container ${container.id}: ${ended.error}`);
  await finish(connection, streams, status);
}

/** Output only: what conmon copies to the CRI log as it comes; stdin a container was not created with is read and dropped. */
async function followOutput(runtime: RuntimeService, container: ContainerRecord, streams: RemoteStreams, connection: SpdyConnection): Promise<void> {
  streams.stdin?.resume();
  const controller = new AbortController();
  connection.once('close', () => controller.abort());
  const path = runtime.containerLogPath(container.id);
  await readLog(
    path,
    (text, stream) => {
      const target = stream === 'stderr' && streams.stderr ? streams.stderr : streams.stdout;
      if (target && !target.destroyed) target.write(text);
    },
    { tail: 0, timestamps: false, follow: true, signal: controller.signal, isDone: () => runtime.containers.get(container.id)?.state !== 'running' },
  ).catch(() => undefined);
  if (controller.signal.aborted) return;
  await finish(connection, streams, statusJson(0));
}
