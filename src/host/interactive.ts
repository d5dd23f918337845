// Processes whose stdio is streamed to a remote client (CRI Exec, Attach, PortForward), as opposed to
// exec.ts's run-to-completion with buffered output. With a TTY, `runc exec -t` needs a terminal of its own
// (Node cannot make a pty, nor receive runc's console fd): util-linux `script` provides one, runc puts it
// in raw mode and relays it to the container's pty, and forwards SIGWINCH, so a resize is applied by
// setting the size of script's pty with `stty -F` (the kernel then signals runc).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { run } from './exec.js';

const STTY_TIMEOUT_MS = 5_000;

export interface InteractiveProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** undefined with a TTY: the terminal merges both streams. */
  readonly stderr: Readable | undefined;
  /** Resolves with the exit code (128 + signal when killed), once the process and its stdio are done. */
  readonly exited: Promise<number>;
  resize(width: number, height: number): Promise<void>;
  kill(): void;
}

function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

function exitCodeOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('error', () => resolve(127));
    child.once('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 128 + signalNumber(signal))));
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13 };
  return numbers[signal] ?? 0;
}

/** Runs argv with piped stdio, or inside a pty made by `script` when tty is set. */
export function spawnInteractive(argv: readonly string[], options: { tty: boolean; env?: NodeJS.ProcessEnv }): InteractiveProcess {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('spawnInteractive: empty argv');
  const env = { ...(options.env ?? process.env), SHELL: '/bin/sh' };
  const child = options.tty
    ? // -q: no banner; -e: the child's exit code; --echo never: only the container's terminal echoes; log to /dev/null.
      spawn('script', ['-q', '-e', '--echo', 'never', '-c', argv.map(shellQuote).join(' '), '/dev/null'], { env, stdio: ['pipe', 'pipe', 'ignore'] })
    : spawn(file, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = exitCodeOf(child);
  if (!child.stdin || !child.stdout) throw new Error('spawnInteractive: stdio pipes missing');
  // A client that goes away mid-write must not crash the daemon with EPIPE.
  child.stdin.on('error', () => undefined);
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: options.tty ? undefined : (child.stderr ?? undefined),
    exited,
    async resize(width, height) {
      if (!options.tty || child.pid === undefined) return;
      const pty = await childTerminal(child.pid);
      if (pty === undefined) return;
      await run('stty', ['-F', pty, 'rows', String(height), 'cols', String(width)], { timeoutMs: STTY_TIMEOUT_MS });
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}

/** The pty `script` gave its child: the child's stdin. */
async function childTerminal(scriptPid: number): Promise<string | undefined> {
  const tasks = await readdir(`/proc/${scriptPid}/task`).catch(() => []);
  for (const task of tasks) {
    const children = (await readFile(`/proc/${scriptPid}/task/${task}/children`, 'utf8').catch(() => '')).trim().split(/\s+/);
    for (const pid of children.filter((p) => p !== '')) {
      const target = await readlink(`/proc/${pid}/fd/0`).catch(() => '');
      if (target.startsWith('/dev/pts/')) return target;
    }
  }
  return undefined;
}

/** A byte pipe to 127.0.0.1:port inside a network namespace (PortForward): busybox nc under nsenter. */
export function spawnNetnsConnection(netnsPath: string, port: number): InteractiveProcess {
  return spawnInteractive(['nsenter', `--net=${netnsPath}`, 'busybox', 'nc', '127.0.0.1', String(port)], { tty: false });
}
