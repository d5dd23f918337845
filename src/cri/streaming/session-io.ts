// What every remotecommand session does at its edges: copy a process's output to a client stream, and end
// with the status on the error stream.
import type { Readable } from 'node:stream';
import type { RemoteStreams } from './remotecommand.js';
import type { SpdyConnection, SpdyStream } from './spdy/connection.js';

/** How long output still gets to drain once the process has ended (like Go's WaitDelay). */
export const OUTPUT_DRAIN_MS = 1_000;

/** Sends the final status on the error stream, then closes the session once it is flushed. */
export async function finish(connection: SpdyConnection, streams: RemoteStreams, status: string): Promise<void> {
  for (const s of [streams.stdout, streams.stderr]) s?.end();
  await new Promise<void>((resolve) => {
    streams.error.end(status, () => resolve());
    streams.error.once('error', () => resolve());
  });
  connection.close();
}

/** Copies `from` to the client stream `to` (or drains it without one); resolves at its end. */
export function pipeOut(from: Readable, to: SpdyStream | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!to) {
      from.resume();
      from.once('end', resolve);
      return;
    }
    from.on('data', (chunk: Buffer) => {
      if (!to.destroyed) to.write(chunk);
    });
    from.once('end', resolve);
    from.once('error', () => resolve());
  });
}
