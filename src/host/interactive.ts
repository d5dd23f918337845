// Processes whose stdio is streamed to a remote client (CRI Exec, Attach, PortForward), as opposed to
// exec.ts's run-to-completion with buffered output. With a TTY, the `runc exec -t` command runs under the
// tty shim (tty-shim.ts): runc hands the container pty's master over, the shim relays it and applies resizes.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { spawnTtyShim } from './tty-shim.js';

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

/** Runs argv with piped stdio; with tty, argv is a `runc exec -t` command line, run under the tty shim. */
export function spawnInteractive(argv: readonly string[], options: { tty: boolean; env?: NodeJS.ProcessEnv }): InteractiveProcess {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('spawnInteractive: empty argv');
  const env = options.env ?? process.env;
  if (options.tty) {
    const shim = spawnTtyShim(argv, env);
    return {
      stdin: shim.stdin,
      stdout: shim.stdout,
      stderr: undefined,
      exited: shim.exited,
      resize: (width, height) => Promise.resolve(shim.resize(width, height)),
      kill: () => shim.kill(),
    };
  }
  const child = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = exitCodeOf(child);
  if (!child.stdin || !child.stdout) throw new Error('spawnInteractive: stdio pipes missing');
  // A client that goes away mid-write must not crash the daemon with EPIPE.
  child.stdin.on('error', () => undefined);
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr ?? undefined,
    exited,
    resize: () => Promise.resolve(),
    kill() {
      child.kill('SIGKILL');
    },
  };
}

/** A byte pipe to 127.0.0.1:port inside a network namespace (PortForward): busybox nc under nsenter. */
export function spawnNetnsConnection(netnsPath: string, port: number): InteractiveProcess {
  return spawnInteractive(['nsenter', `--net=${netnsPath}`, 'busybox', 'nc', '127.0.0.1', String(port)], { tty: false });
}
