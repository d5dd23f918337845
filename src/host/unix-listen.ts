// Listening on a unix socket that is never, even for an instant, open to more than its owner. bind(2)
// creates the socket file with 0777 & ~umask; a chmod after listen() leaves a window in which anyone
// allowed by the process umask could connect (and keep the connection). The umask is process-wide, so
// it is narrowed only around the synchronous bind inside server.listen() and restored before any other
// code runs: no other file the daemon creates meanwhile is affected.
import type { Server } from 'node:net';

/** Owner read/write only. */
export const OWNER_ONLY_UMASK = 0o177;

export function listenOwnerOnly(server: Server, socketPath: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    const previous = process.umask(OWNER_ONLY_UMASK);
    try {
      // For a path, Node binds synchronously within listen(); 'listening' is emitted on a later tick.
      server.listen(socketPath, () => {
        server.off('error', onError);
        resolve();
      });
    } finally {
      process.umask(previous);
    }
  });
}
