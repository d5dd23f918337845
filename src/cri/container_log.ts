// ReopenContainerLog: conmon owns the log file; it reopens it when told through its control FIFO
// (<bundle>/ctl, message "2 0 0\n" = REOPEN_LOGS_EVENT, as CRI-O does after the kubelet rotated the file).
import { constants } from 'node:fs';
import { access, open } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { PeapodError, errorMessage, isErrnoException } from '../common/errors.js';
import type { CriContext } from './context.js';
import type { Fields } from './fields.js';
import { requireContainer, requireSandbox } from './lookup.js';

/** conmon's config.h: WIN_RESIZE_EVENT 1, REOPEN_LOGS_EVENT 2; lines are "<type> <height> <width>\n". */
const REOPEN_LOGS_MESSAGE = '2 0 0\n';
const CONMON_CONTROL_FIFO = 'ctl';

/** How long conmon gets to open the new file: it reads its FIFO at once, so this only bounds a stuck conmon. */
const REOPEN_TIMEOUT_MS = 5000;
const REOPEN_POLL_MS = 5;

/**
 * The kubelet renames the log, calls this, then compresses the renamed file: the RPC must return only
 * once conmon writes to the new file (as containerd's, which swaps the file itself), or the lines
 * written in between go to the file being compressed. conmon opens the path with O_CREAT before it
 * writes another byte, so the path existing again is the sign.
 */
export async function reopenContainerLog(ctx: CriContext, request: Fields): Promise<object> {
  const record = requireContainer(ctx.runtime, request.str('container_id'));
  if (record.state !== 'running') throw new PeapodError('FailedPrecondition', `container ${record.id} is not running (state ${record.state}); only a running container's log can be reopened`);
  const sandbox = requireSandbox(ctx.runtime, record.sandboxId);
  const logPath = join(sandbox.config.logDirectory, record.config.logPath);
  await sendConmonControl(record.id, record.dir, REOPEN_LOGS_MESSAGE);
  const deadline = Date.now() + REOPEN_TIMEOUT_MS;
  while (!(await exists(logPath))) {
    if (Date.now() > deadline) throw new PeapodError('DeadlineExceeded', `conmon of container ${record.id} did not reopen ${logPath} within ${REOPEN_TIMEOUT_MS} ms`);
    await delay(REOPEN_POLL_MS);
  }
  return {};
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

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
