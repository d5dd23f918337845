// Streaming counterpart of exec.ts for filters whose output is too large to buffer (zstd -dc of a
// 100 MB layer): the program's stdout becomes a Readable that ends only when the program exited 0,
// and errors (with the program's stderr) otherwise, so a pipeline never mistakes a crash for EOF.
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import { PeapodError } from '../common/errors.js';
import { which } from './which.js';

/** stderr kept for the error message; a filter that writes more is cut, not buffered without bound. */
const MAX_STDERR_BYTES = 16 * 1024;

export interface StreamOptions {
  readonly signal?: AbortSignal;
  readonly cwd?: string;
}

/**
 * Runs `file args` with stdin closed and returns its stdout. Destroying the returned stream (as a
 * failed pipeline does) kills the program.
 */
export function spawnStdout(file: string, args: readonly string[], options: StreamOptions = {}): Readable {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const child = spawn(file, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
  const stderr: Buffer[] = [];
  let stderrBytes = 0;
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderrBytes < MAX_STDERR_BYTES) stderr.push(chunk);
    stderrBytes += chunk.length;
  });
  child.stdout.pipe(out, { end: false });
  child.on('error', (err) => {
    const notFound = (err as NodeJS.ErrnoException).code === 'ENOENT';
    out.destroy(notFound ? new PeapodError('FailedPrecondition', `${file}: not found`, { hint: 'run scripts/setup.sh to install it', cause: err }) : err);
  });
  child.on('close', (code, signal) => {
    if (code === 0) {
      out.end();
      return;
    }
    const detail = Buffer.concat(stderr).toString('utf8').trim().split('\n').slice(-3).join('\n');
    out.destroy(new PeapodError('Internal', `${file} ${args.join(' ')} failed (${signal ?? `exit ${code}`})${detail ? `: ${detail}` : ''}`));
  });
  out.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return out;
}

const programCache = new Map<string, Promise<string | undefined>>();

/** The absolute path of a program on PATH, or undefined: lets callers pick a fallback before spawning. */
export function findProgram(name: string): Promise<string | undefined> {
  let found = programCache.get(name);
  if (found === undefined) {
    found = which(name);
    programCache.set(name, found);
  }
  return found;
}
