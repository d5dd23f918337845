// A resident spawner for the daemon's short commands (runc, mount, ip, CNI plugins, iptables).
//
// Why: Node's child_process.spawn forks the whole daemon (libuv 1.46 uses fork(), not vfork or
// posix_spawn on Linux) and blocks the event loop until the child has exec'd: ≈2 ms at 44 MB RSS, ≈4 ms at
// 100 MB, more under load. A pod's lifecycle runs ≈20 such commands, so 100 pods at once spent seconds of
// the daemon's only thread copying page tables (a CPU profile of 100 pods in one apply: `spawn` was 40% of
// the daemon's busy time). This small python3 process (python3 is already needed for the TTY shim and the
// attach relay) starts them instead, with vfork (CPython's subprocess since 3.10), one thread per command,
// outside the daemon's thread, and answers with what `runUnchecked` returns. The daemon's side of a command is one JSON line
// each way.
//
// Protocol, one JSON object per line. Request: {"id", "file", "args", "env"?, "cwd"?, "input"? (base64),
// "timeoutMs", "drainMs", "outputFile"?, "conmon"?}, or {"id", "native": NativeCall} (a mount, unmounts or
// namespace pins made as the syscalls, no program run), or {"id", "kill": true}. Answer: {"id", "code", "signal",
// "stdout", "stderr" (base64), "timedOut"} or {"id", "error": "ENOENT"|"EACCES"|..., "message"}. With
// outputFile, stdout and stderr are appended to that file and "stderr" holds what the run appended (its
// last 8 KiB): for `runc run --detach`, whose container keeps runc's stdio.
//
// The spawner runs in its own session (a Ctrl-C to a foreground daemon must not reach a runc half-way),
// dies with the daemon (PR_SET_PDEATHSIG; a crash-injection run once found spawners that outlived a
// killed daemon holding its output pipe), and is started again on the next command if it dies.
import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { PeapodError } from '../common/errors.js';
import { PYTHON3 } from './attach-socket.js';
import { SPAWNER_SCRIPT } from './spawner-script.js';

export interface SpawnRequest {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly input?: string | Uint8Array;
  readonly timeoutMs: number;
  readonly drainMs: number;
  readonly signal?: AbortSignal;
  /** stdout and stderr appended to this file instead of returned (stderr: what the run appended). */
  readonly outputFile?: string;
  /**
   * Start conmon: its sync and start socket pairs (fd numbers in _OCI_SYNCPIPE and _OCI_STARTPIPE), the
   * start byte sent at once, its own session; the answer comes when the intermediate process has exited
   * and (if it succeeded) the monitor has reported. stdout then holds the sync pipe's text.
   */
  readonly conmon?: boolean;
}

export interface SpawnResult {
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** What `native` asks for: one mount(2), umount2(2) of each target, or namespaces unshared and pinned. */
export type NativeCall =
  | {
      readonly op: 'mount';
      readonly source: string;
      readonly target: string;
      readonly fstype: string;
      readonly flags: number;
      readonly data?: string;
      /** The directory relative paths in `data` start from (an overlay's layers). */
      readonly cwd?: string;
    }
  | { readonly op: 'umount'; readonly targets: readonly string[]; readonly flags: number }
  | { readonly op: 'pin'; readonly pins: readonly { readonly kind: 'net' | 'ipc' | 'uts'; readonly path: string }[]; readonly hostname?: string };

interface Answer {
  readonly id: number;
  readonly code?: number;
  readonly signal?: NodeJS.Signals | null;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly timedOut?: boolean;
  readonly error?: string;
  readonly message?: string;
}

/** Whether the spawner can run here (python3 is there to run it). */
export async function spawnerAvailable(python = PYTHON3): Promise<boolean> {
  try {
    await access(python, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The spawner gets this much longer than a command's own deadline before its answer is given up on. */
const ANSWER_SLACK_MS = 10_000;

export class Spawner {
  private child: ChildProcess | undefined;
  private readonly waiting = new Map<number, (answer: Answer) => void>();
  private nextId = 1;

  constructor(private readonly python = PYTHON3) {}

  /** Runs a command to completion through the spawner. */
  async run(file: string, args: readonly string[], request: SpawnRequest): Promise<SpawnResult> {
    const input = request.input === undefined ? undefined : Buffer.from(request.input).toString('base64');
    const answer = await this.ask(
      {
        file,
        args,
        timeoutMs: request.timeoutMs,
        drainMs: request.drainMs,
        ...(request.env === undefined ? {} : { env: request.env }),
        ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
        ...(input === undefined ? {} : { input }),
        ...(request.outputFile === undefined ? {} : { outputFile: request.outputFile }),
        ...(request.conmon === true ? { conmon: true } : {}),
      },
      request.timeoutMs,
      `spawn ${file}`,
      request.signal,
    );
    return {
      code: answer.code ?? -1,
      signal: answer.signal ?? null,
      stdout: Buffer.from(answer.stdout ?? '', 'base64').toString('utf8'),
      stderr: Buffer.from(answer.stderr ?? '', 'base64').toString('utf8'),
      timedOut: answer.timedOut === true,
    };
  }

  /**
   * A mount, unmount or namespace pin made by the spawner itself, as the syscall (spawner-script.ts says
   * why); a failure rejects with the errno's name as its code (EBUSY, EINVAL, ...).
   */
  async native(call: NativeCall, timeoutMs: number): Promise<void> {
    await this.ask({ native: call }, timeoutMs, `native ${call.op}`);
  }

  /** One request line out, its answer back; an error answer rejects with its code. */
  private ask(fields: Record<string, unknown>, timeoutMs: number, what: string, signal?: AbortSignal): Promise<Answer> {
    const child = this.ensureChild();
    const id = this.nextId++;
    const line = JSON.stringify({ id, ...fields });
    return new Promise<Answer>((resolve, reject) => {
      const onAbort = (): void => void child.stdin?.write(`${JSON.stringify({ id, kill: true })}\n`);
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new PeapodError('DeadlineExceeded', `the spawner did not answer ${what} within ${timeoutMs + ANSWER_SLACK_MS} ms`));
      }, timeoutMs + ANSWER_SLACK_MS);
      this.waiting.set(id, (answer) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (answer.error !== undefined) {
          reject(Object.assign(new Error(`${what} ${answer.error}: ${answer.message ?? ''}`), { code: answer.error }));
          return;
        }
        resolve(answer);
      });
      if (signal?.aborted === true) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
      child.stdin?.write(`${line}\n`);
    });
  }

  /** Stops the spawner; commands still running finish by themselves. */
  close(): void {
    this.child?.stdin?.end();
    this.child = undefined;
  }

  private ensureChild(): ChildProcess {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) return this.child;
    const child = spawn(this.python, ['-I', '-S', '-c', SPAWNER_SCRIPT, String(process.pid)], { detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
    child.unref();
    child.stdin.on('error', () => undefined);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (text) => {
      const answer = JSON.parse(text) as Answer;
      const settle = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      settle?.(answer);
    });
    const lost = (why: string): void => {
      if (this.child === child) this.child = undefined;
      for (const [id, settle] of this.waiting) settle({ id, error: 'EPIPE', message: `the spawner ${why}` });
      this.waiting.clear();
    };
    child.on('exit', (code, signal) => lost(`exited (${signal ?? `code ${code}`})`));
    child.on('error', (err) => lost(`could not run: ${err.message}`));
    // Unref'd pipes: an idle spawner must not keep the daemon's event loop alive.
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    this.child = child;
    return child;
  }
}
