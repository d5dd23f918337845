// `peapod daemon`: runs the daemon in the foreground until SIGTERM or SIGINT. Kept out of the CLI bundle
// (scripts/bundle-cli.mjs): the daemon always runs from dist/'s modules, so its errors are the classes
// its own modules throw and its files (the CRI proto) sit where its modules expect them.
import type { PeapodConfig } from '../common/config.js';
import { formatDaemonLogLine } from '../common/log-line.js';
import { applyDaemonFlagsAtRuntime } from './daemon-flags.js';
import { DAEMON_ALREADY_RUNNING_EXIT } from './exit-code.js';
import { formatCliError } from './format-error.js';

/** The exit code: 0 after a clean stop; errors are printed here, not thrown (the caller may be another module graph). */
export async function runDaemon(config: PeapodConfig): Promise<number> {
  const log = (message: string): void => {
    process.stderr.write(formatDaemonLogLine(config.logFormat, message, new Date()));
  };
  applyDaemonFlagsAtRuntime();
  // Loaded only here: the daemon's code is most of peapod and no other verb needs it.
  const { startDaemon } = await import('../daemon/daemon.js');
  let handle: Awaited<ReturnType<typeof startDaemon>>;
  try {
    handle = await startDaemon(config, log);
  } catch (err) {
    // A daemon that failed to start exits once its error is printed, even if some watcher or timer it
    // had started still holds the event loop (a second daemon must not linger).
    setTimeout(() => process.exit(1), 200).unref();
    process.stderr.write(formatCliError(err));
    const { StateLockHeld } = await import('../host/state-lock.js');
    return err instanceof StateLockHeld ? DAEMON_ALREADY_RUNNING_EXIT : 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log(`received ${signal}, shutting down`);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await handle.close();
  return 0;
}
