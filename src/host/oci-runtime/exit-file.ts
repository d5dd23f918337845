// conmon's exit file: <exit-dir>/<container id>, written once when the container's init process has
// exited (conmon.c, g_file_set_contents: a temp file renamed into place, so never half-written).
// It holds the decimal exit status: the exit code, or 128 + signal when killed by one
// (ctr_exit.c get_exit_status), or -1 when neither. Its mtime is the finish time, as CRI-O reads it.
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile, stat } from '../../common/quick-fs.js';
import { join } from 'node:path';
import { PeapodError, isErrnoException, asError } from '../../common/errors.js';
import type { ExitStatus } from './types.js';

/** The exit code shells use for "killed by signal N" and conmon writes: 128 + N. */
export const SIGNAL_EXIT_BASE = 128;
/** Linux has signals 1..64 (SIGRTMAX). */
const MAX_SIGNAL = 64;
/**
 * fs.watch (inotify) can miss an event (e.g. when the directory is replaced), so we also look every
 * this many ms: fast enough not to stall a stop...
 */
export const EXIT_POLL_MS = 250;
/**
 * ...and, for the long-lived watches that follow every running container and pause process, slowly
 * enough that hundreds of them cost next to nothing (each look also asks whether conmon still lives).
 */
export const LONG_WAIT_POLL_MS = 5_000;
/** A wait longer than this is a standing watch, not a stop or a kill. */
const LONG_WAIT_MS = 60_000;

export function parseExitFile(text: string, finishedAt: Date): ExitStatus {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) throw new PeapodError('DataLoss', `conmon exit file holds "${trimmed.slice(0, 40)}", not an exit status`);
  const exitCode = Number(trimmed);
  const finished = finishedAt.toISOString();
  // Inferred: a process may also exit(130) by itself; conmon's file cannot tell the two apart.
  if (exitCode > SIGNAL_EXIT_BASE && exitCode <= SIGNAL_EXIT_BASE + MAX_SIGNAL) {
    return { exitCode, signal: exitCode - SIGNAL_EXIT_BASE, finishedAt: finished };
  }
  return { exitCode, finishedAt: finished };
}

/** The container's exit status, or undefined while conmon has not written it. */
export async function readExitFile(path: string): Promise<ExitStatus | undefined> {
  try {
    // Sequential on purpose: nearly every look finds no file, and then one syscall is enough.
    const text = await readFile(path, 'utf8');
    return parseExitFile(text, (await stat(path)).mtime);
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) return undefined;
    throw err;
  }
}

export interface WaitForExitOptions {
  readonly exitDir: string;
  readonly id: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /**
   * Asked on each slow poll: an exit status to settle with when the exit file will never come
   * (conmon is gone), or undefined to keep waiting.
   */
  readonly fallback?: () => Promise<ExitStatus | undefined>;
}

/**
 * One inotify watch per exit dir, shared by every waiter on it: with a watch per waiter, each exit
 * would wake all of them (hundreds with a hundred pods) and each would hold an inotify watch.
 */
class ExitDirWatch {
  private static readonly dirs = new Map<string, ExitDirWatch>();
  private readonly listeners = new Map<string, Set<() => void>>();
  private watcher: FSWatcher | undefined;

  static listen(dir: string, id: string, listener: () => void): () => void {
    let entry = ExitDirWatch.dirs.get(dir);
    // An entry without a watch (the dir did not exist yet) is replaced: its waiters keep polling.
    if (!entry?.watcher) {
      entry = new ExitDirWatch(dir);
      ExitDirWatch.dirs.set(dir, entry);
    }
    return entry.add(id, listener);
  }

  private constructor(private readonly dir: string) {
    try {
      this.watcher = watch(dir, { persistent: false }, (_event, filename) => {
        if (filename === null) for (const set of this.listeners.values()) for (const l of set) l();
        else for (const l of this.listeners.get(filename.toString()) ?? []) l();
      });
      this.watcher.on('error', () => this.close());
    } catch {
      /* no exit dir yet: the waiters' polls still run, and the next waiter tries again */
      this.watcher = undefined;
    }
  }

  private add(id: string, listener: () => void): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(id);
      if (this.listeners.size === 0 || this.watcher === undefined) this.close();
    };
  }

  private close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (ExitDirWatch.dirs.get(this.dir) === this) ExitDirWatch.dirs.delete(this.dir);
  }
}

/**
 * Resolves with the exit status once the exit file exists. The watch starts before the first look,
 * so an exit between the two is not missed.
 */
export function waitForExitFile(options: WaitForExitOptions): Promise<ExitStatus> {
  const path = join(options.exitDir, options.id);
  return new Promise<ExitStatus>((resolve, reject) => {
    let done = false;
    let checking = false;
    let again = false;
    // Assigned once the watch is set up; finish() may run before that (an already aborted signal).
    let unlisten: (() => void) | undefined = undefined;
    const finish = (err: unknown, status?: ExitStatus): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(poller);
      unlisten?.();
      options.signal?.removeEventListener('abort', onAbort);
      if (status !== undefined) resolve(status);
      else reject(asError(err));
    };
    const check = async (withFallback: boolean): Promise<void> => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          const status = (await readExitFile(path)) ?? (withFallback && options.fallback ? await options.fallback() : undefined);
          if (status !== undefined) finish(undefined, status);
        } while (again && !done);
      } catch (err) {
        finish(err);
      } finally {
        checking = false;
      }
    };
    const onAbort = (): void => finish(options.signal?.reason ?? new PeapodError('DeadlineExceeded', `waiting for container ${options.id} was cancelled`));
    const timer = setTimeout(
      () => finish(new PeapodError('DeadlineExceeded', `container ${options.id} did not exit within ${options.timeoutMs} ms`)),
      Math.max(0, options.timeoutMs),
    );
    const poller = setInterval(() => void check(true), options.timeoutMs > LONG_WAIT_MS ? LONG_WAIT_POLL_MS : EXIT_POLL_MS);
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    unlisten = ExitDirWatch.listen(options.exitDir, options.id, () => void check(false));
    void check(true);
  });
}
