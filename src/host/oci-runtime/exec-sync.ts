// `runc exec` to completion with captured output and a deadline (exec probes, `peapod exec` without a
// TTY). Spawned here rather than through exec.ts run(): on timeout the whole process group must die,
// because runc exec hands its own stdio to the exec'd process and a killed runc alone would leave it
// running inside the container.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { removeTree } from '../../common/remove-tree.js';
import { constants } from 'node:os';
import { PeapodError } from '../../common/errors.js';
import { processGroupMembers } from '../proc.js';
import type { ExecResult } from './types.js';

/** CRI-O caps ExecSync output at 16 MiB (maxExecSyncSize); so do we, per stream. */
export const EXEC_SYNC_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** Reported as the exit code of an exec that we killed at its deadline (128 + SIGKILL). */
export const EXEC_TIMEOUT_EXIT_CODE = 137;
/** After killing the exec'd processes, how long runc exec gets to reap them and exit by itself. */
export const EXEC_REAP_GRACE_MS = 1000;

export interface ExecSyncInput {
  readonly runtimePath: string;
  readonly globalArgs: readonly string[];
  readonly id: string;
  readonly args: readonly string[];
  readonly timeoutMs: number;
  readonly env?: readonly string[];
  readonly cwd?: string;
  /** runc's --pid-file for the exec'd process, so it can be killed even outside runc's group. */
  readonly pidFile: string;
}

export function execArgs(input: Omit<ExecSyncInput, 'runtimePath' | 'timeoutMs'> & { tty?: boolean }): string[] {
  const out = [...input.globalArgs, 'exec'];
  if (input.tty === true) out.push('-t');
  for (const e of input.env ?? []) out.push('--env', e);
  if (input.cwd !== undefined) out.push('--cwd', input.cwd);
  if (input.pidFile !== '') out.push('--pid-file', input.pidFile);
  out.push(input.id, ...input.args);
  return out;
}

class Capture {
  private chunks: Buffer[] = [];
  private size = 0;
  add(chunk: Buffer): void {
    if (this.size >= EXEC_SYNC_MAX_OUTPUT_BYTES) return;
    const part = chunk.subarray(0, EXEC_SYNC_MAX_OUTPUT_BYTES - this.size);
    this.chunks.push(part);
    this.size += part.length;
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export async function runcExecSync(input: ExecSyncInput): Promise<ExecResult> {
  const child = spawn(input.runtimePath, execArgs(input), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = new Capture();
  const stderr = new Capture();
  child.stdout.on('data', (c: Buffer) => stdout.add(c));
  child.stderr.on('data', (c: Buffer) => stderr.add(c));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void killExec(child.pid, input.pidFile, () => child.exitCode !== null || child.signalCode !== null);
  }, input.timeoutMs);
  try {
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', (err) => reject(new PeapodError('FailedPrecondition', `cannot run ${input.runtimePath}: ${err.message}`, { cause: err })));
      child.once('close', (exitCode, signal) => resolve(exitCode ?? (signal === null ? -1 : 128 + (signalNumber(signal) ?? 0))));
    });
    if (timedOut) return { exitCode: EXEC_TIMEOUT_EXIT_CODE, stdout: stdout.bytes(), stderr: stderr.bytes(), timedOut: true };
    return { exitCode: code, stdout: stdout.bytes(), stderr: stderr.bytes(), timedOut: false };
  } finally {
    clearTimeout(timer);
    await removeTree(input.pidFile);
  }
}

/**
 * Kills the exec'd processes first and leaves runc exec alive to reap them: if runc exec died first,
 * they would be orphaned to the host's PID 1 (runc exec is their subreaper, and the container's init is
 * in another PID namespace), and the container's init could not finish exiting until that slow reaper
 * collected them. The whole group goes only if runc exec has not exited by itself shortly after.
 */
async function killExec(runcPid: number | undefined, pidFile: string, exited: () => boolean): Promise<void> {
  if (runcPid === undefined) return;
  const victims = new Set((await processGroupMembers(runcPid).catch(() => [] as number[])).filter((pid) => pid !== runcPid));
  try {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    if (Number.isInteger(pid) && pid > 1) victims.add(pid);
  } catch {
    /* not written (runc had not started it yet) */
  }
  for (const pid of victims) signal(pid, 'SIGKILL');
  if (victims.size === 0) signal(-runcPid, 'SIGKILL');
  else setTimeout(() => exited() || signal(-runcPid, 'SIGKILL'), EXEC_REAP_GRACE_MS).unref();
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
  return true;
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return constants.signals[signal];
}
