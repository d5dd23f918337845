// The CRI socket: listened on from the daemon's start, but grpc-js, the protocol definitions and the
// streaming server are loaded on the first connection (server.ts). A daemon nobody drives through CRI
// does not carry them (about 10 MB of RSS); the first CRI call pays their load once (about 100 ms).
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { ImageService } from '../image/types.js';
import { listenOwnerOnly } from '../host/unix-listen.js';
import type { RuntimeService } from '../runtime/service.js';
import type { CriSettings } from './context.js';
import type { CriBackend } from './server.js';

/** The socket carries root's powers over the host (as containerd's): root-only. */
export const CRI_SOCKET_MODE = 0o600;

export interface CriServerDeps {
  readonly runtime: RuntimeService;
  readonly images: ImageService;
  readonly settings: CriSettings;
  readonly log: (message: string) => void;
}

export interface CriServer {
  readonly socketPath: string;
  close(): Promise<void>;
}

export async function startCriServer(socketPath: string, deps: CriServerDeps): Promise<CriServer> {
  let backend: Promise<CriBackend> | undefined;
  const connect = (socket: Socket): void => {
    backend ??= import('./server.js').then((m) => m.createCriBackend(deps));
    backend.then(
      (b) => b.inject(socket),
      (err: unknown) => {
        deps.log(`cri: cannot start the gRPC server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        backend = undefined;
        socket.destroy();
      },
    );
  };
  await mkdir(dirname(socketPath), { recursive: true, mode: 0o700 });
  // A socket file left by a daemon that died: the daemon's state lock already ensures no other peapod
  // serves here.
  await rm(socketPath, { force: true });
  const listener: NetServer = createNetServer(connect);
  // Created 0600: never, even between bind and chmod, open to anyone but root.
  await listenOwnerOnly(listener, socketPath);
  listener.on('error', (err) => deps.log(`cri socket: ${String(err)}`));
  await chmod(socketPath, CRI_SOCKET_MODE);
  return {
    socketPath,
    async close() {
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      await backend?.then((b) => b.close()).catch(() => undefined);
      await closed;
      await rm(socketPath, { force: true });
    },
  };
}
