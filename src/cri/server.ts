// The CRI v1 gRPC server on a unix socket: RuntimeService and ImageService as thin translations over
// the runtime and image services, one file per RPC group (after CRI-O's server/). Every handler's
// error becomes a gRPC status in errors.ts; every RPC we do not serve answers UNIMPLEMENTED with why.
import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { Server, ServerCredentials, type ServerWritableStream, type UntypedServiceImplementation, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { PeapodError } from '../common/errors.js';
import type { ImageService } from '../image/types.js';
import type { Runtime } from '../runtime/runtime.js';
import type { CriContext, CriSettings } from './context.js';
import { toServiceError, unimplemented } from './errors.js';
import { CriEventHub } from './events.js';
import { Fields } from './fields.js';
import { NameRegistry } from './names.js';
import { AuthorityFixingConnection } from './h2/authority.js';
import { loadCriServices } from './proto/load.js';
import { StreamingServer } from './streaming/server.js';
import { CpuRates } from './stats.js';
import { streamingSessions } from './streaming/sessions.js';
import { runtimeServiceHandlers, imageServiceHandlers, UNSERVED_STREAMS, type Handler } from './handlers.js';

/** The socket carries root's powers over the host (as containerd's): root-only. */
export const CRI_SOCKET_MODE = 0o600;
/** How long in-flight calls get to finish on shutdown before they are cut. */
export const CRI_SHUTDOWN_GRACE_MS = 2_000;

export interface CriServerDeps {
  readonly runtime: Runtime;
  readonly images: ImageService;
  readonly settings: CriSettings;
  readonly log: (message: string) => void;
}

export interface CriServer {
  readonly socketPath: string;
  readonly context: CriContext;
  close(): Promise<void>;
}

function unary(ctx: CriContext, name: string, handler: Handler) {
  return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>): void => {
    const controller = new AbortController();
    call.on('cancelled', () => controller.abort());
    Promise.resolve()
      .then(() => handler(ctx, Fields.of(call.request, ''), controller.signal))
      .then(
        (response) => callback(null, response),
        (err: unknown) => {
          const status = toServiceError(err);
          if (!(err instanceof PeapodError)) ctx.log(`cri ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
          callback(status);
        },
      );
  };
}

function containerEvents(ctx: CriContext, streams: Set<ServerWritableStream<unknown, unknown>>) {
  return (call: ServerWritableStream<unknown, unknown>): void => {
    streams.add(call);
    const off = ctx.events.subscribe((event) => {
      if (!call.cancelled) call.write(event);
    });
    const done = (): void => {
      off();
      streams.delete(call);
    };
    call.on('cancelled', done);
    call.on('close', done);
    call.on('error', done);
  };
}

function unservedStream(name: string, reason: string) {
  return (call: ServerWritableStream<unknown, unknown>): void => {
    call.emit('error', toServiceError(unimplemented(name, reason)));
  };
}

export async function startCriServer(socketPath: string, deps: CriServerDeps): Promise<CriServer> {
  const services = loadCriServices();
  const streaming = await StreamingServer.start(deps.settings.streamingAddress, streamingSessions(deps.runtime, deps.log), deps.log);
  const context: CriContext = {
    streaming,
    cpuRates: new CpuRates(),
    runtime: deps.runtime,
    images: deps.images,
    names: new NameRegistry(deps.runtime),
    events: new CriEventHub(deps.runtime),
    settings: deps.settings,
    log: deps.log,
  };
  const streams = new Set<ServerWritableStream<unknown, unknown>>();
  const runtimeImpl: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(runtimeServiceHandlers)) runtimeImpl[name] = unary(context, name, handler);
  for (const [name, reason] of Object.entries(UNSERVED_STREAMS)) runtimeImpl[name] = unservedStream(name, reason);
  runtimeImpl['GetContainerEvents'] = containerEvents(context, streams);
  const imageImpl: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(imageServiceHandlers)) imageImpl[name] = unary(context, name, handler);
  imageImpl['StreamImages'] = unservedStream('StreamImages', 'use ListImages');

  const server = new Server();
  server.addService(services.runtimeDefinition, runtimeImpl);
  server.addService(services.imageDefinition, imageImpl);
  await mkdir(dirname(socketPath), { recursive: true, mode: 0o700 });
  // A socket file left by a daemon that died: the daemon's own lock (its API socket) already ensures
  // no other peapod serves here.
  await rm(socketPath, { force: true });
  // Our own listener, each connection filtered (h2/authority.ts) and handed to grpc-js.
  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  const listener: NetServer = createNetServer((socket) => injector.injectConnection(new AuthorityFixingConnection(socket)));
  await new Promise<void>((resolve, reject) => {
    listener.once('error', (err) => void streaming.close().finally(() => reject(err)));
    listener.listen(socketPath, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  listener.on('error', (err) => deps.log(`cri socket: ${String(err)}`));
  await chmod(socketPath, CRI_SOCKET_MODE);
  return {
    socketPath,
    context,
    async close() {
      for (const call of streams) call.end();
      streams.clear();
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      injector.drain(CRI_SHUTDOWN_GRACE_MS);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, CRI_SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      injector.destroy();
      await streaming.close();
      await closed;
      await rm(socketPath, { force: true });
    },
  };
}
