// ExecSync, and the streaming Exec/Attach/PortForward, which answer with a URL on the streaming server.
import { PeapodError } from '../common/errors.js';
import type { CriContext } from './context.js';
import type { Fields } from './fields.js';
import { requireContainer, requireSandbox } from './lookup.js';

const MS_PER_SECOND = 1000;
/** timeout 0 means "no timeout" in CRI; every exec here still ends: after an hour, as a bound. */
export const EXEC_SYNC_NO_TIMEOUT_MS = 3600 * MS_PER_SECOND;

export async function execSync(ctx: CriContext, request: Fields): Promise<{ stdout: Buffer; stderr: Buffer; exit_code: number }> {
  const record = requireContainer(ctx.runtime, request.str('container_id'));
  const cmd = request.strList('cmd');
  if (cmd.length === 0) throw new PeapodError('InvalidArgument', 'cmd: a command is required');
  const timeout = request.int('timeout');
  if (timeout < 0) throw new PeapodError('InvalidArgument', `timeout ${timeout} must not be negative`);
  if (record.state !== 'running') throw new PeapodError('FailedPrecondition', `container ${record.id} is not running (state ${record.state})`);
  const timeoutMs = timeout === 0 ? EXEC_SYNC_NO_TIMEOUT_MS : timeout * MS_PER_SECOND;
  const result = await ctx.runtime.execSync(record.id, cmd, timeoutMs);
  if (result.timedOut) {
    // containerd answers a timed-out ExecSync with DeadlineExceeded; the kubelet's exec probe reads it as a timeout.
    throw new PeapodError('DeadlineExceeded', `command ${JSON.stringify(cmd)} in container ${record.id} timed out after ${timeout}s`);
  }
  // Bytes end to end: a command's output is not text (a file's contents, a checksum in binary).
  return { stdout: result.stdout, stderr: result.stderr, exit_code: result.exitCode };
}

/** Exec: a one-time URL on the streaming server, where the client upgrades to SPDY remotecommand. */
export function exec(ctx: CriContext, request: Fields): Promise<{ url: string }> {
  const record = requireContainer(ctx.runtime, request.str('container_id'));
  const cmd = request.strList('cmd');
  if (cmd.length === 0) throw new PeapodError('InvalidArgument', 'cmd: a command is required');
  if (record.state !== 'running') throw new PeapodError('FailedPrecondition', `container ${record.id} is not running (state ${record.state})`);
  const tty = request.bool('tty');
  const stdout = request.bool('stdout');
  const stderr = request.bool('stderr');
  if (!request.bool('stdin') && !stdout && !stderr) throw new PeapodError('InvalidArgument', 'one of stdin, stdout and stderr must be set');
  if (tty && stderr) throw new PeapodError('InvalidArgument', 'tty and stderr cannot both be true');
  return Promise.resolve({ url: ctx.streaming.url({ kind: 'exec', containerId: record.id, cmd, stdin: request.bool('stdin'), stdout, stderr, tty }) });
}

/** Attach: the container's output (followed from its log) and terminal resizes; stdin is not offered. */
export function attach(ctx: CriContext, request: Fields): Promise<{ url: string }> {
  const record = requireContainer(ctx.runtime, request.str('container_id'));
  if (record.state !== 'running') throw new PeapodError('FailedPrecondition', `container ${record.id} is not running (state ${record.state})`);
  const tty = request.bool('tty');
  const stdout = request.bool('stdout');
  const stderr = request.bool('stderr');
  if (!request.bool('stdin') && !stdout && !stderr) throw new PeapodError('InvalidArgument', 'one of stdin, stdout and stderr must be set');
  return Promise.resolve({
    url: ctx.streaming.url({ kind: 'attach', containerId: record.id, stdin: request.bool('stdin'), stdout, stderr: stderr && !tty, tty }),
  });
}

export function portForward(ctx: CriContext, request: Fields): Promise<{ url: string }> {
  const sandbox = requireSandbox(ctx.runtime, request.str('pod_sandbox_id'));
  if (sandbox.state !== 'ready') throw new PeapodError('FailedPrecondition', `pod sandbox ${sandbox.id} is not ready (state ${sandbox.state})`);
  return Promise.resolve({ url: ctx.streaming.url({ kind: 'portforward', sandboxId: sandbox.id }) });
}
