// conmon's control FIFO (<bundle>/ctl): lines "<type> <height> <width>\n", type 1 = WIN_RESIZE_EVENT,
// 2 = REOPEN_LOGS_EVENT (conmon's config.h). Shared by the CRI's ReopenContainerLog and resize, and the
// kubelet's own log rotation.
import { constants } from 'node:fs';
import { access, open } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { PeapodError, errorMessage, isErrnoException } from '../../common/errors.js';

const REOPEN_LOGS_MESSAGE = '2 0 0\n';
const CONMON_CONTROL_FIFO = 'ctl';

/** How long conmon gets to open the new file: it reads its FIFO at once, so this only bounds a stuck conmon. */
const REOPEN_TIMEOUT_MS = 5000;
const REOPEN_POLL_MS = 2;

/** Writes one control message to the conmon of the container whose bundle is `dir`. */
export async function sendConmonControl(containerId: string, dir: string, message: string): Promise<void> {
  const fifo = join(dir, CONMON_CONTROL_FIFO);
  let handle;
  try {
    // Non-blocking: with no conmon reading the FIFO, open fails (ENXIO) instead of hanging.
    handle = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    const why = isErrnoException(err, 'ENXIO') ? 'conmon is not running' : errorMessage(err);
    throw new PeapodError('FailedPrecondition', `cannot reach conmon of container ${containerId} through ${fifo}: ${why}`);
  }
  try {
    await handle.write(message);
  } finally {
    await handle.close();
  }
}

/** conmon's WIN_RESIZE_EVENT for a container created with a terminal. */
export function resizeMessage(width: number, height: number): string {
  return `1 ${height} ${width}\n`;
}

/**
 * Tells conmon to reopen its log file and returns once it writes to the new one. Whoever rotates
 * renames the file first; conmon opens the path with O_CREAT before it writes another byte, so the
 * path existing again is the sign (the renamed file then receives nothing more).
 */
export async function reopenConmonLog(containerId: string, dir: string, logPath: string, stillRunning: () => boolean = () => true): Promise<void> {
  await sendConmonControl(containerId, dir, REOPEN_LOGS_MESSAGE);
  const deadline = Date.now() + REOPEN_TIMEOUT_MS;
  while (!(await exists(logPath))) {
    // A container that exited meanwhile has a conmon that will never reopen: stop waiting at once.
    if (!stillRunning()) throw new PeapodError('FailedPrecondition', `container ${containerId} exited before conmon reopened ${logPath}`);
    if (Date.now() > deadline)
      throw new PeapodError('DeadlineExceeded', `conmon of container ${containerId} did not reopen ${logPath} within ${REOPEN_TIMEOUT_MS} ms`);
    await delay(REOPEN_POLL_MS);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
