// ReopenContainerLog: conmon owns the log file; it reopens it when told through its control FIFO,
// as CRI-O does after the kubelet rotated the file (runtime/logs/conmon-control.ts).
import { PeapodError } from '../common/errors.js';
import { reopenConmonLog } from '../runtime/logs/conmon-control.js';
import type { CriContext } from './context.js';
import type { Fields } from './fields.js';
import { requireContainer, requireSandbox } from './lookup.js';
import { containerLogPath } from '../runtime/paths.js';

export { resizeMessage, sendConmonControl } from '../runtime/logs/conmon-control.js';

/**
 * The kubelet renames the log, calls this, then compresses the renamed file: the RPC must return only
 * once conmon writes to the new file (as containerd's, which swaps the file itself), or the lines
 * written in between go to the file being compressed.
 */
export async function reopenContainerLog(ctx: CriContext, request: Fields): Promise<object> {
  const record = requireContainer(ctx.runtime, request.str('container_id'));
  if (record.state !== 'running')
    throw new PeapodError(
      'FailedPrecondition',
      `container ${record.id} is not running (state ${record.state}); only a running container's log can be reopened`,
    );
  const sandbox = requireSandbox(ctx.runtime, record.sandboxId);
  await reopenConmonLog(record.id, record.dir, containerLogPath(sandbox, record));
  return {};
}
