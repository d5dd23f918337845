// The CRI v1 gRPC server on a unix socket: RuntimeService and ImageService as thin translations over
// the runtime and image services, one file per RPC group (after CRI-O's server/). Every handler's
// error becomes a gRPC status in errors.ts; every RPC we do not serve answers UNIMPLEMENTED with why.
import type { Socket } from 'node:net';
import {
  Server,
  ServerCredentials,
  type ServerWritableStream,
  type UntypedServiceImplementation,
  type sendUnaryData,
  type ServerUnaryCall,
} from '@grpc/grpc-js';
import { PeapodError } from '../common/errors.js';
import type { CriContext } from './context.js';
import type { CriServerDeps } from './listener.js';
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

/** How long in-flight calls get to finish on shutdown before they are cut. */
export const CRI_SHUTDOWN_GRACE_MS = 2_000;

/** The gRPC side, made on the first connection (listener.ts): connections are handed to it one by one. */
export interface CriBackend {
  readonly context: CriContext;
  inject(socket: Socket): void;
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

export async function createCriBackend(deps: CriServerDeps): Promise<CriBackend> {
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
  // Each connection is filtered (h2/authority.ts) and handed to grpc-js.
  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  return {
    context,
    inject: (socket) => injector.injectConnection(new AuthorityFixingConnection(socket)),
    async close() {
      for (const call of streams) call.end();
      streams.clear();
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
    },
  };
}
