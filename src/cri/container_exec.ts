// ExecSync, and the streaming Exec/Attach/PortForward (not served: see STREAMING_REASON).
import { PeapodError } from '../common/errors.js';
import type { CriContext } from './context.js';
import { unimplemented } from './errors.js';
import type { Fields } from './fields.js';
import { requireContainer, requireSandbox } from './lookup.js';

const MS_PER_SECOND = 1000;
/** timeout 0 means "no timeout" in CRI; every exec here still ends: after an hour, as a bound. */
export const EXEC_SYNC_NO_TIMEOUT_MS = 3600 * MS_PER_SECOND;

export const STREAMING_REASON =
  'the CRI streaming server (a URL speaking SPDY/3.1 remotecommand and portforward) is not built yet; use ExecSync, or `peapod exec` on the pod';

export async function execSync(ctx: CriContext, request: Fields): Promise<{ stdout: Buffer; stderr: Buffer; exit_code: number }> {
  const record = requireContainer(ctx.runtime, request.str('container_id'));
  const cmd = request.strList('cmd');
  if (cmd.length === 0) throw new PeapodError('InvalidArgument', 'cmd: a command is required');
  const timeout = request.int('timeout');
  if (timeout < 0) throw new PeapodError('InvalidArgument', `timeout ${timeout} must not be negative`);
  if (record.state !== 'running') throw new PeapodError('FailedPrecondition', `container ${record.id} is not running (state ${record.state})`);
  const timeoutMs = timeout === 0 ? EXEC_SYNC_NO_TIMEOUT_MS : timeout * MS_PER_SECOND;
  const result = await ctx.runtime.host.oci.execSync(record.id, cmd, { timeoutMs });
  if (result.timedOut) {
    // containerd answers a timed-out ExecSync with DeadlineExceeded; the kubelet's exec probe reads it as a timeout.
    throw new PeapodError('DeadlineExceeded', `command ${JSON.stringify(cmd)} in container ${record.id} timed out after ${timeout}s`);
  }
  return { stdout: Buffer.from(result.stdout, 'utf8'), stderr: Buffer.from(result.stderr, 'utf8'), exit_code: result.exitCode };
}

export function exec(ctx: CriContext, request: Fields): Promise<never> {
  requireContainer(ctx.runtime, request.str('container_id'));
  return Promise.reject(unimplemented('Exec', STREAMING_REASON));
}

export function attach(ctx: CriContext, request: Fields): Promise<never> {
  requireContainer(ctx.runtime, request.str('container_id'));
  return Promise.reject(unimplemented('Attach', STREAMING_REASON));
}

export function portForward(ctx: CriContext, request: Fields): Promise<never> {
  requireSandbox(ctx.runtime, request.str('pod_sandbox_id'));
  return Promise.reject(unimplemented('PortForward', STREAMING_REASON));
}
