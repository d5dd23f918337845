// Starting one conmon per container, the way CRI-O (internal/oci/runtime_oci.go CreateContainer) and
// podman (libpod/oci_conmon_linux.go) do: conmon runs `runc create`, owns the container's stdio, writes
// the CRI log and the exit file, and outlives us. We talk to it over two inherited socket pairs:
//   fd 3 (_OCI_SYNCPIPE)  conmon → us: {"data": <container pid>} or {"data": -1, "message": <runc's stderr>}
//   fd 4 (_OCI_STARTPIPE) us → conmon: one byte once conmon sits in the right cgroup; it blocks until then.
// Facts from conmon 2.1.6 (src/conmon.c, parent_pipe_fd.c): the process we spawn forks the real monitor,
// writes its PID to --conmon-pidfile and exits 0; the monitor setsid()s, points its stdio at /dev/null,
// and writes "oom" files into --persist-dir and into its working directory on an OOM kill.
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { readFile } from 'node:fs/promises';
import { readFile as readStateFile } from '../../common/quick-fs.js';
import { join } from 'node:path';
import { PeapodError } from '../../common/errors.js';
import { currentSpawner } from '../exec.js';
import type { Spawner } from '../spawner.js';

/**
 * CRI-O waits up to 240 s (ContainerCreateTimeout); runc create takes ~40 ms here (a few hundred in the
 * emulated v2 guest). What does hang is a runc killed mid-create: its `runc init` child lives on holding
 * conmon's pipes, and conmon never reports. 30 s bounds that and leaves the kubelet's retry (and the
 * kubelet's own 2-minute request timeout) room. A healthy create comes near it only on an overloaded host:
 * 100 sandboxes made at once on a slow 2-vCPU VM took one past it, which is why the runtime bounds how many
 * are made at once (ops-config.ts maxParallelPodStarts).
 */
export const CONMON_CREATE_TIMEOUT_MS = 30_000;
/** conmon reads at most this much of runc's stderr for the failure message (config.h BUF_SIZE). */
const MAX_STDERR_BYTES = 8192;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** After the intermediate conmon exits, its stderr and the sync pipe get this long to be read out. */
const CONMON_DRAIN_MS = 200;

export interface ConmonLayout {
  /** conmon's --persist-dir and --socket-dir-path; also its working directory. */
  readonly persistDir: string;
  /** runc's --pid-file for the container's init process. */
  readonly pidFile: string;
  readonly conmonPidFile: string;
  readonly exitFile: string;
}

export function conmonLayout(stateDir: string, exitDir: string, id: string): ConmonLayout {
  const persistDir = join(stateDir, id);
  return {
    persistDir,
    pidFile: join(persistDir, 'pidfile'),
    conmonPidFile: join(persistDir, 'conmon.pid'),
    exitFile: join(exitDir, id),
  };
}

export interface ConmonArgsInput {
  readonly id: string;
  readonly name: string;
  /** Absolute: conmon execv()s it without a PATH search. */
  readonly runtimePath: string;
  readonly runcRoot: string;
  readonly bundle: string;
  readonly exitDir: string;
  readonly logPath: string;
  readonly layout: ConmonLayout;
  readonly stdin: boolean;
  /** Only with stdin; see conmon's terminate_remote_sock (conn_sock.c). */
  readonly stdinOnce: boolean;
  readonly terminal: boolean;
}

export function conmonArgs(input: ConmonArgsInput): string[] {
  const { layout } = input;
  const args = [
    '--api-version',
    '1',
    '-c',
    input.id,
    '-u',
    input.id,
    '-r',
    input.runtimePath,
    '-b',
    input.bundle,
    '-p',
    layout.pidFile,
    '-n',
    input.name,
    '--exit-dir',
    input.exitDir,
    '--persist-dir',
    layout.persistDir,
    '-l',
    `k8s-file:${input.logPath}`,
    '--log-level',
    'warning',
    '--runtime-arg',
    `--root=${input.runcRoot}`,
    '--socket-dir-path',
    layout.persistDir,
    '--conmon-pidfile',
    layout.conmonPidFile,
    // The attach socket then lives in the bundle under its full path (conmon uses /proc/self/fd to
    // get past the 108-byte sun_path limit) instead of a symlink in the socket dir.
    '--full-attach',
  ];
  // -i: conmon holds the container's stdin open and feeds it what attach clients send. When a client
  // hangs up, conmon closes that stdin unless told --leave-stdin-open: that is CRI's stdin_once, as CRI-O maps it.
  if (input.stdin) args.push('-i');
  if (input.stdin && !input.stdinOnce) args.push('--leave-stdin-open');
  if (input.terminal) args.push('-t');
  return args;
}

export interface SyncMessage {
  readonly data: number;
  readonly message?: string;
}

/** conmon's sync-pipe JSON (parent_pipe_fd.c write_sync_fd, API version 1: key "data"). */
export function parseSyncMessage(text: string): SyncMessage | undefined {
  const line = text.split('\n').find((l) => l.trim() !== '');
  if (line === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || typeof (v as { data?: unknown }).data !== 'number') return undefined;
  const { data, message } = v as { data: number; message?: unknown };
  return typeof message === 'string' ? { data, message } : { data };
}

export interface StartConmonOptions extends ConmonArgsInput {
  readonly conmonPath: string;
  /** Moves conmon into its cgroup (never the pod's) before it forks anything. */
  readonly placeConmon?: (pid: number) => Promise<void>;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

interface ConmonOutcome {
  readonly sync: SyncMessage | undefined;
  readonly exitCode: number | null;
  readonly stderr: string;
}

/** Starts conmon, waits for `runc create`, and returns the container's init PID and the monitor's PID. */
export async function startConmon(options: StartConmonOptions): Promise<{ pid: number; conmonPid: number }> {
  const spawner = currentSpawner();
  // The daemon's spawner can hold conmon's pipes itself, unless conmon must be moved into a cgroup before
  // it starts (the start byte is then ours to send).
  if (spawner && options.placeConmon === undefined) return startConmonThrough(spawner, options);
  const child = spawn(options.conmonPath, conmonArgs(options), {
    // Its own session and process group: a Ctrl-C or SIGTERM to the daemon's group must not reach it.
    detached: true,
    cwd: options.layout.persistDir,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? DEFAULT_PATH, _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4' },
  });
  const syncPipe = child.stdio[3] as Readable;
  const startPipe = child.stdio[4] as Writable;
  const stderrPipe = child.stderr as Readable;
  // A conmon that exits before reading our start byte resets the socket (ECONNRESET, EPIPE): its exit
  // status and stderr say what went wrong, and an 'error' without a listener would take the daemon down.
  startPipe.on('error', () => undefined);
  stderrPipe.on('error', () => undefined);
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(
          new PeapodError('FailedPrecondition', `cannot run conmon (${options.conmonPath}): ${err.message}`, { hint: 'run scripts/setup.sh', cause: err }),
        ),
      );
    });
    if (options.placeConmon && child.pid !== undefined) await options.placeConmon(child.pid);
    startPipe.end(Buffer.from([0]));
    const outcome = await collectOutcome(child, syncPipe, stderrPipe, options);
    return await interpretOutcome(outcome, options);
  } catch (err) {
    child.kill('SIGKILL');
    await killConmonFromPidFile(options.layout.conmonPidFile, options.layout.persistDir);
    throw err;
  } finally {
    syncPipe.destroy();
    startPipe.destroy();
    stderrPipe.destroy();
  }
}

/** startConmon through the resident spawner (host/spawner.ts): no fork of the daemon. */
async function startConmonThrough(spawner: Spawner, options: StartConmonOptions): Promise<{ pid: number; conmonPid: number }> {
  const timeoutMs = options.timeoutMs ?? CONMON_CREATE_TIMEOUT_MS;
  try {
    const r = await spawner
      .run(options.conmonPath, conmonArgs(options), {
        conmon: true,
        cwd: options.layout.persistDir,
        env: { PATH: process.env.PATH ?? DEFAULT_PATH },
        timeoutMs,
        drainMs: CONMON_DRAIN_MS,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      })
      .catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        throw new PeapodError('FailedPrecondition', `cannot run conmon (${options.conmonPath}): not found`, { hint: 'run scripts/setup.sh', cause: err });
      });
    if (options.signal?.aborted === true) throw new PeapodError('DeadlineExceeded', `creating container ${options.id} was cancelled`);
    if (r.timedOut) throw new PeapodError('DeadlineExceeded', `conmon did not report container ${options.id} within ${timeoutMs} ms`);
    const sync = parseSyncMessage(r.stdout);
    return await interpretOutcome({ sync, exitCode: r.signal === null ? r.code : null, stderr: r.stderr }, options);
  } catch (err) {
    await killConmonFromPidFile(options.layout.conmonPidFile, options.layout.persistDir);
    throw err;
  }
}

function collectOutcome(child: ReturnType<typeof spawn>, syncPipe: Readable, stderrPipe: Readable, options: StartConmonOptions): Promise<ConmonOutcome> {
  return new Promise<ConmonOutcome>((resolve, reject) => {
    let syncText = '';
    let stderr = '';
    let exitCode: number | null | undefined;
    let syncEnded = false;
    let sync: SyncMessage | undefined;
    const timeoutMs = options.timeoutMs ?? CONMON_CREATE_TIMEOUT_MS;
    const settle = (err?: Error): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve({ sync, exitCode: exitCode ?? null, stderr });
    };
    // Done when the intermediate conmon has exited AND the monitor has either reported or closed the pipe.
    const maybeDone = (): void => {
      if (exitCode !== undefined && (sync !== undefined || syncEnded)) settle();
    };
    const onAbort = (): void => settle(new PeapodError('DeadlineExceeded', `creating container ${options.id} was cancelled`));
    const timer = setTimeout(
      () => settle(new PeapodError('DeadlineExceeded', `conmon did not report container ${options.id} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    syncPipe.setEncoding('utf8');
    syncPipe.on('data', (chunk: string) => {
      syncText += chunk;
      sync ??= parseSyncMessage(syncText);
      maybeDone();
    });
    syncPipe.on('error', () => {
      syncEnded = true;
      maybeDone();
    });
    syncPipe.on('close', () => {
      syncEnded = true;
      maybeDone();
    });
    stderrPipe.setEncoding('utf8');
    stderrPipe.on('data', (chunk: string) => {
      if (stderr.length < MAX_STDERR_BYTES) stderr += chunk;
    });
    child.once('exit', (code) => {
      exitCode = code;
      // The intermediate failing means no monitor was forked: the sync pipe will never speak.
      if (code !== 0) syncEnded = true;
      maybeDone();
    });
  });
}

async function interpretOutcome(outcome: ConmonOutcome, options: StartConmonOptions): Promise<{ pid: number; conmonPid: number }> {
  const detail = outcome.stderr.trim();
  if (outcome.exitCode !== 0) {
    throw new PeapodError('Internal', `conmon for container ${options.id} exited with ${outcome.exitCode ?? 'a signal'}${detail ? `: ${detail}` : ''}`);
  }
  const sync = outcome.sync;
  if (sync === undefined) {
    throw new PeapodError('Internal', `conmon for container ${options.id} exited without reporting a PID${detail ? `: ${detail}` : ''}`);
  }
  if (sync.data <= 0) {
    const message = cleanRuncMessage(sync.message ?? '') || 'no message';
    throw new PeapodError('FailedPrecondition', `runc create failed for container ${options.id}: ${message}`);
  }
  const conmonPid = Number((await readStateFile(options.layout.conmonPidFile, 'utf8')).trim());
  return { pid: sync.data, conmonPid };
}

/** runc logs `time="…" level=error msg="…"`; the msg is what a person wants to read. */
export function cleanRuncMessage(raw: string): string {
  const msgs = [...raw.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? '').replace(/\\"/g, '"'));
  return (msgs.length > 0 ? msgs.join('; ') : raw).trim();
}

/** Kills the monitor of a failed create, making sure the PID still is that conmon (PIDs get reused). */
export async function killConmonFromPidFile(pidFile: string, persistDir: string): Promise<void> {
  try {
    const pid = Number((await readStateFile(pidFile, 'utf8')).trim());
    if (!Number.isInteger(pid) || pid <= 1) return;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.split('\0').includes(persistDir)) process.kill(pid, 'SIGKILL');
  } catch {
    /* not written yet, or already gone */
  }
}
