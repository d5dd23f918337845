// Composition root of `peapod daemon`: builds the services, registers their routes, serves the socket,
// and shuts down cleanly on SIGTERM/SIGINT (containers keep running: conmon owns them, not us).
import { mkdir, writeFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { PeapodConfig } from '../common/config.js';
import { paths } from '../common/config.js';
import { ApiRouter, listenUnix } from '../api/server.js';
import { registerSystemRoutes } from '../api/routes/system.js';

export interface DaemonHandle {
  readonly server: Server;
  close(): Promise<void>;
}

export type Logger = (message: string) => void;

export async function startDaemon(config: PeapodConfig, log: Logger): Promise<DaemonHandle> {
  const p = paths(config);
  await mkdir(config.root, { recursive: true, mode: 0o700 });
  await mkdir(config.runRoot, { recursive: true, mode: 0o700 });
  const router = new ApiRouter();
  const closers: (() => Promise<void>)[] = [];

  registerSystemRoutes(router, config, {
    imageCount: () => Promise.resolve(0),
    podCount: () => Promise.resolve(0),
  });

  const server = await listenUnix(router, config.socket, (err) => log(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
  await writeFile(p.daemonPid, `${process.pid}\n`);
  log(`peapod daemon ${process.pid} listening on ${config.socket}`);
  return {
    server,
    async close() {
      for (const close of closers.reverse()) await close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await rm(config.socket, { force: true });
      await rm(p.daemonPid, { force: true });
    },
  };
}
