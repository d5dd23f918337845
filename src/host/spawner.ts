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
// "timeoutMs", "drainMs", "outputFile"?, "conmon"?} or {"id", "kill": true}. Answer: {"id", "code", "signal",
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

const SPAWNER = `
import base64, ctypes, errno, json, os, select, selectors, signal, socket, subprocess, sys, threading, time
# The daemon's death ends the spawner at once (PR_SET_PDEATHSIG = SIGKILL), whatever it was doing: the
# commands it started finish by themselves, as they would have as the daemon's own children.
ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)
if os.getppid() != int(sys.argv[1]):
    os._exit(0)  # the daemon died before the line above
# Threads, not asyncio: importing asyncio (ssl with it) doubles the spawner's memory.
TAIL = 8192
lock = threading.Lock()
procs, queued, killed = {}, set(), set()
out = sys.stdout.buffer
def reply(obj):
    line = json.dumps(obj).encode() + b'\\n'
    with lock:
        try:
            out.write(line)
            out.flush()
        except BrokenPipeError:
            os._exit(0)  # the daemon is gone
def b64(data):
    return base64.b64encode(data or b'').decode()
def errno_name(e):
    return errno.errorcode.get(e.errno, 'EIO') if e.errno else 'EIO'
def status(p, timed_out, stdout, stderr):
    code = p.returncode
    return {'code': code if code is not None and code >= 0 else -1, 'signal': signal.Signals(-code).name if code is not None and code < 0 else None,
        'stdout': b64(stdout), 'stderr': b64(stderr), 'timedOut': timed_out}
def started(rid, p):
    with lock:
        procs[rid] = p
        queued.discard(rid)
        if rid in killed:  # the kill came before the process existed
            p.kill()
def wait_exit(p, deadline):
    # Woken by the exit itself through a pidfd: Popen.wait(timeout) polls with sleeps of up to 50 ms.
    try:
        fd = os.pidfd_open(p.pid)
    except OSError:
        return p.wait(max(0, deadline - time.monotonic()))  # already reaped (a kill's poll), or no pidfd
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        if not poller.poll(max(0, deadline - time.monotonic()) * 1000):
            raise subprocess.TimeoutExpired(p.args, 0)
    finally:
        os.close(fd)
    return p.wait()
def wait_or_kill(p, deadline):
    # True when the deadline came first and the process was KILLed.
    try:
        wait_exit(p, deadline)
        return False
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return True
def read_until(p, streams, deadline, drain):
    # Reads the pipes to EOF; once the process has exited they get drain seconds more (a grandchild may
    # hold them), and nothing goes past the deadline.
    got = {s: [] for s in streams}
    sel = selectors.DefaultSelector()
    for s in streams:
        os.set_blocking(s.fileno(), False)
        sel.register(s, selectors.EVENT_READ)
    exited_at = None
    while sel.get_map():
        now = time.monotonic()
        if exited_at is None and p.poll() is not None:
            exited_at = now
        end = deadline if exited_at is None else min(deadline, exited_at + drain)
        if now >= end:
            break
        for key, _ in sel.select(min(end - now, 0.05 if exited_at is None else end - now)):
            chunk = os.read(key.fileobj.fileno(), 65536)
            if chunk:
                got[key.fileobj].append(chunk)
            else:
                sel.unregister(key.fileobj)
    sel.close()
    return [b''.join(got[s]) for s in streams]
def run_one(req):
    rid, output = req['id'], None
    deadline = time.monotonic() + req['timeoutMs'] / 1000
    try:
        data = base64.b64decode(req['input']) if req.get('input') is not None else None
        if req.get('outputFile'):
            output = os.open(req['outputFile'], os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
            before = os.fstat(output).st_size
            streams = dict(stdout=output, stderr=output)
        else:
            streams = dict(stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p = subprocess.Popen([req['file'], *req['args']], stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
            env=req.get('env'), cwd=req.get('cwd'), **streams)
    except OSError as e:
        if output is not None: os.close(output)
        reply({'id': rid, 'error': errno_name(e), 'message': str(e)})
        return
    started(rid, p)
    if data is not None:
        try:
            p.stdin.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            p.stdin.close()
        except OSError:
            pass
    got = [b'', b'']
    if output is None:
        got = read_until(p, [p.stdout, p.stderr], deadline, req['drainMs'] / 1000)
        p.stdout.close()
        p.stderr.close()
    timed_out = wait_or_kill(p, deadline)
    if output is not None:
        after = os.fstat(output).st_size
        start = max(before, after - TAIL)
        got[1] = os.pread(output, after - start, start) if after > start else b''
        os.close(output)
    reply(dict(id=rid, **status(p, timed_out, got[0], got[1])))
def start_conmon(req):
    # conmon's two socket pairs (host/oci-runtime/conmon.ts): it reads their fd numbers from the env.
    rid = req['id']
    deadline = time.monotonic() + req['timeoutMs'] / 1000
    sync_ours, sync_theirs = socket.socketpair()
    start_ours, start_theirs = socket.socketpair()
    env = dict(req.get('env') or os.environ)
    env['_OCI_SYNCPIPE'], env['_OCI_STARTPIPE'] = str(sync_theirs.fileno()), str(start_theirs.fileno())
    try:
        try:
            p = subprocess.Popen([req['file'], *req['args']], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                env=env, cwd=req.get('cwd'), start_new_session=True, pass_fds=(sync_theirs.fileno(), start_theirs.fileno()))
        except OSError as e:
            reply({'id': rid, 'error': errno_name(e), 'message': str(e)})
            return
        finally:
            sync_theirs.close()
            start_theirs.close()
        started(rid, p)
        try:
            start_ours.sendall(b'\\0')
        except OSError:
            pass  # conmon already gone: its exit status and stderr say why
        timed_out = wait_or_kill(p, deadline)
        sync = b''
        # The intermediate failing means no monitor was forked: the sync pipe will never speak.
        if p.returncode == 0 and not timed_out:
            sync_ours.settimeout(max(0.001, deadline - time.monotonic()))
            try:
                while True:
                    chunk = sync_ours.recv(4096)
                    if not chunk:
                        break
                    sync += chunk
                    if any(line.strip().startswith(b'{') and line.strip().endswith(b'}') for line in sync.split(b'\\n')):
                        break
            except socket.timeout:
                timed_out = True
        # A monitor that reported is done with; only a failure waits (a moment) for conmon's stderr.
        reported = p.returncode == 0 and sync != b''
        err = b'' if reported else read_until(p, [p.stderr], time.monotonic() + req['drainMs'] / 1000, req['drainMs'] / 1000)[0][:TAIL]
        p.stderr.close()
        reply(dict(id=rid, **status(p, timed_out, sync, err)))
    finally:
        with lock:
            procs.pop(rid, None)
        sync_ours.close()
        start_ours.close()
def run(req):
    try:
        (start_conmon if req.get('conmon') else run_one)(req)
    except Exception as e:
        reply({'id': req['id'], 'error': 'EIO', 'message': repr(e)})
    finally:
        with lock:
            procs.pop(req['id'], None)
            queued.discard(req['id'])
            killed.discard(req['id'])
for line in sys.stdin.buffer:
    req = json.loads(line)
    if req.get('kill'):
        with lock:
            p = procs.get(req['id'])
            if p is not None and p.returncode is None:
                p.kill()
            elif req['id'] in queued:
                killed.add(req['id'])
        continue
    with lock:
        queued.add(req['id'])
    threading.Thread(target=run, args=(req,), daemon=True).start()
os._exit(0)  # stdin closed: the daemon is gone
`;

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
  run(file: string, args: readonly string[], request: SpawnRequest): Promise<SpawnResult> {
    const child = this.ensureChild();
    const id = this.nextId++;
    const input = request.input === undefined ? undefined : Buffer.from(request.input).toString('base64');
    const line = JSON.stringify({
      id,
      file,
      args,
      timeoutMs: request.timeoutMs,
      drainMs: request.drainMs,
      ...(request.env === undefined ? {} : { env: request.env }),
      ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
      ...(input === undefined ? {} : { input }),
      ...(request.outputFile === undefined ? {} : { outputFile: request.outputFile }),
      ...(request.conmon === true ? { conmon: true } : {}),
    });
    return new Promise<SpawnResult>((resolve, reject) => {
      const onAbort = (): void => void child.stdin?.write(`${JSON.stringify({ id, kill: true })}\n`);
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new PeapodError('DeadlineExceeded', `the spawner did not answer for ${file} within ${request.timeoutMs + ANSWER_SLACK_MS} ms`));
      }, request.timeoutMs + ANSWER_SLACK_MS);
      this.waiting.set(id, (answer) => {
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        if (answer.error !== undefined) {
          const err = Object.assign(new Error(`spawn ${file} ${answer.error}: ${answer.message ?? ''}`), { code: answer.error });
          reject(err);
          return;
        }
        resolve({
          code: answer.code ?? -1,
          signal: answer.signal ?? null,
          stdout: Buffer.from(answer.stdout ?? '', 'base64').toString('utf8'),
          stderr: Buffer.from(answer.stderr ?? '', 'base64').toString('utf8'),
          timedOut: answer.timedOut === true,
        });
      });
      if (request.signal?.aborted === true) onAbort();
      else request.signal?.addEventListener('abort', onAbort, { once: true });
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
    const child = spawn(this.python, ['-I', '-S', '-c', SPAWNER, String(process.pid)], { detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
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
