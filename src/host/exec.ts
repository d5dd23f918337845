// The one place peapod runs other programs (runc, conmon, CNI plugins, iptables). Every call has a deadline.
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { PeapodError } from '../common/errors.js';
import type { Spawner, SpawnResult } from './spawner.js';

export interface RunOptions {
  readonly input?: string | Uint8Array;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Exit codes that are not failures (default: only 0). */
  readonly okCodes?: readonly number[];
}

export interface RunResult {
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
/** How long a finished program's pipes may stay open (held by a grandchild) before we stop reading them. */
export const PIPE_DRAIN_AFTER_EXIT_MS = 200;

export class CommandError extends PeapodError {
  readonly result: RunResult;
  constructor(file: string, args: readonly string[], result: RunResult) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n');
    super('Internal', `${file} ${args.join(' ')} failed (${result.signal ?? `exit ${result.code}`})${detail ? `: ${detail}` : ''}`);
    this.result = result;
  }
}

/** Runs a program to completion; throws CommandError on a non-ok exit, PeapodError('DeadlineExceeded') on timeout. */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await runUnchecked(file, args, options);
  const ok = options.okCodes ?? [0];
  if (result.signal !== null || !ok.includes(result.code)) throw new CommandError(file, args, result);
  return result;
}

let processSpawner: Spawner | undefined;
const scopedSpawner = new AsyncLocalStorage<Spawner>();

/**
 * From now on this process's commands go through `s` (host/spawner.ts says why): the daemon's choice.
 * undefined goes back to spawning here (the CLI and the tests' helpers do).
 */
export function useSpawner(s: Spawner | undefined): void {
  processSpawner = s;
}

/** The commands `fn` runs (and whatever it starts) go through `s`: the benchmark floor's, in a process that also does other things. */
export function withSpawner<T>(s: Spawner, fn: () => Promise<T>): Promise<T> {
  return scopedSpawner.run(s, fn);
}

/** The spawner this process's (or this scope's) commands go through, if any. */
export function currentSpawner(): Spawner | undefined {
  return scopedSpawner.getStore() ?? processSpawner;
}

export function runUnchecked(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const spawner = currentSpawner();
  return spawner ? runThroughSpawner(spawner, file, args, options) : spawnHere(file, args, options);
}

async function runThroughSpawner(s: Spawner, file: string, args: readonly string[], options: RunOptions, outputFile?: string): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  let result: SpawnResult;
  try {
    result = await s.run(file, args, {
      timeoutMs,
      drainMs: PIPE_DRAIN_AFTER_EXIT_MS,
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.input === undefined ? {} : { input: options.input }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(outputFile === undefined ? {} : { outputFile }),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PeapodError('FailedPrecondition', `${file}: not found`, { hint: 'run scripts/setup.sh to install it', cause: err });
    }
    throw err;
  }
  if (result.timedOut) throw new PeapodError('DeadlineExceeded', `${file} ${args.join(' ')} did not finish within ${timeoutMs} ms`);
  return { code: result.code, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

function spawnHere(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (err) => {
      clearTimeout(timer);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new PeapodError('FailedPrecondition', `${file}: not found`, { hint: 'run scripts/setup.sh to install it', cause: err }));
      } else reject(err);
    });
    child.stdin.on('error', () => {
      /* the program may exit without reading its input; its exit status tells what happened */
    });
    // A grandchild (runc run -d, a daemonised helper) may keep our pipes open after the child exits,
    // so 'close' would never come: like Go's exec.Cmd.WaitDelay, once the child has exited its pipes get
    // a short grace to drain, then they are closed and the call settles with what was read.
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (timedOut) {
        reject(new PeapodError('DeadlineExceeded', `${file} ${args.join(' ')} did not finish within ${timeoutMs} ms`));
        return;
      }
      resolve({ code: code ?? -1, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    };
    let drain: NodeJS.Timeout | undefined;
    child.on('exit', (code, signal) => {
      drain = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, signal);
      }, PIPE_DRAIN_AFTER_EXIT_MS);
    });
    child.on('close', (code, signal) => {
      clearTimeout(drain);
      finish(code, signal);
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** How much of what a program wrote to its output file runToFile reads back (its error is at the end). */
const OUTPUT_TAIL_BYTES = 8192;

/**
 * Runs a program with stdout and stderr appended to a file instead of pipes, for a program that hands
 * its stdio to a process that outlives it (`runc run --detach` gives its own to the container): a pipe
 * would stay open for as long as that process lives. The result's stderr holds what the run appended
 * (its last 8 KiB), stdout is empty.
 */
export async function runToFile(file: string, args: readonly string[], outputPath: string, options: RunOptions = {}): Promise<RunResult> {
  const spawner = currentSpawner();
  if (spawner) return runThroughSpawner(spawner, file, args, options, outputPath);
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const output = await open(outputPath, 'a+', 0o600);
  try {
    const before = (await output.stat()).size;
    const child = spawn(file, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', output.fd, output.fd], signal: options.signal });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('exit', (c, sig) => resolve([c, sig]));
      child.once('error', (err) => {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new PeapodError('FailedPrecondition', `${file}: not found`, { hint: 'run scripts/setup.sh to install it', cause: err }));
        } else reject(err);
      });
    }).finally(() => clearTimeout(timer));
    if (signal === 'SIGKILL' && code === null) throw new PeapodError('DeadlineExceeded', `${file} ${args.join(' ')} did not finish within ${timeoutMs} ms`);
    const after = (await output.stat()).size;
    const start = Math.max(before, after - OUTPUT_TAIL_BYTES);
    const tail = Buffer.alloc(after - start);
    if (tail.length > 0) await output.read(tail, 0, tail.length, start);
    return { code: code ?? -1, signal, stdout: '', stderr: tail.toString('utf8') };
  } finally {
    await output.close();
  }
}
