// A TTY exec the way containerd's shim runs one: `runc exec --detach --tty --console-socket` hands the
// container pty's master to us, we relay it and reap the process as a child subreaper. Node can neither
// receive a file descriptor (SCM_RIGHTS) nor be a subreaper, so a small python3 program does it.
//
// Why not `runc exec -t` in the foreground under a pty of our own (util-linux `script`, as before): then
// runc relays between two ptys, clears ONLCR on the container's pty after the process may already have
// read its modes (runc 1.1 tty.go recvtty; busybox ash saves them at start and restores them for every
// command) and keeps OPOST/ONLCR on the outer pty (containerd/console SetRaw): now and then every line
// came out as "\r\r\n", which broke clients matching "\r\n" (the CRI TTY test's "no output" flake).
// Here the bytes are the container pty's own, as with containerd.
//
// fd 0 → the pty; the pty → fd 1 (runc's own errors too); fd 3: "rows cols\n" lines → TIOCSWINSZ.
// The shim exits with the process's exit code (128 + signal), or runc's when the exec failed.
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { PYTHON3 } from './attach-socket.js';

/** How long runc gets to hand over the console before the exec is given up. */
const CONSOLE_TIMEOUT_S = 60;

const SHIM = `
import ctypes, fcntl, os, select, shutil, socket, struct, subprocess, sys, tempfile, termios, time
argv = sys.argv[1:]
os.dup2(1, 2)  # runc's errors and our own go to the client's terminal
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
work = tempfile.mkdtemp(prefix='peapod-tty-')
try:
    sock_path, pid_path = os.path.join(work, 'console.sock'), os.path.join(work, 'pid')
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock_path)
    listener.listen(1)
    at = argv.index('exec') + 1
    runc = subprocess.Popen(argv[:at] + ['--detach', '--console-socket', sock_path, '--pid-file', pid_path] + argv[at:], stdin=subprocess.DEVNULL)
    master, deadline = None, time.monotonic() + ${CONSOLE_TIMEOUT_S}
    while master is None and runc.poll() is None and time.monotonic() < deadline:
        if select.select([listener], [], [], 0.1)[0]:
            conn, _ = listener.accept()
            master = socket.recv_fds(conn, 1024, 1)[1][0]
            conn.close()
    code = runc.wait(timeout=${CONSOLE_TIMEOUT_S}) if master is not None or runc.poll() is not None else None
    if master is None or code != 0:
        if code is None:
            runc.kill()
            sys.stdout.write('runc did not hand over the console within ${CONSOLE_TIMEOUT_S}s\\r\\n')
        sys.exit(code if code else 1)
    pid = int(open(pid_path).read())
finally:
    shutil.rmtree(work, ignore_errors=True)
os.set_blocking(master, False)
watch, pending, resize, status = [0, master, 3], b'', b'', None
def reap():
    global status
    while True:
        try:
            p, st = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if p == 0:
            return
        if p == pid:
            status = os.waitstatus_to_exitcode(st)
while master in watch:
    r, w, _ = select.select(watch, [master] if pending else [], [], 0.2 if status is None else 0.05)
    if not r and not w and status is not None:
        break
    if w:
        pending = pending[os.write(master, pending[:4096]):]
    for fd in r:
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            continue
        except OSError:
            data = b''
        if not data:
            watch.remove(fd)
        elif fd == master:
            while data:
                data = data[os.write(1, data):]
        elif fd == 0:
            pending += data
        else:
            resize += data
            while b'\\n' in resize:
                line, resize = resize.split(b'\\n', 1)
                rows, cols = (int(v) for v in line.split())
                fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    reap()
while status is None:
    time.sleep(0.05)
    reap()
sys.exit(status if status >= 0 else 128 - status)
`;

export interface TtyShim {
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** Resolves with the exit code once the shim has exited. */
  readonly exited: Promise<number>;
  resize(width: number, height: number): void;
  kill(): void;
}

/** Runs `runcArgv` (a `runc … exec -t …` command line) under the shim. */
export function spawnTtyShim(runcArgv: readonly string[], env: NodeJS.ProcessEnv): TtyShim {
  const child = spawn(PYTHON3, ['-I', '-S', '-c', SHIM, ...runcArgv], { env, stdio: ['pipe', 'pipe', 'ignore', 'pipe'] });
  const control = child.stdio[3] as Writable;
  const { stdin, stdout } = child;
  if (!stdin || !stdout) throw new Error('spawnTtyShim: stdio pipes missing');
  control.on('error', () => undefined);
  stdin.on('error', () => undefined);
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(127));
    child.once('close', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 1)));
  });
  return {
    stdin,
    stdout,
    exited,
    resize(width, height) {
      if (!control.destroyed) control.write(`${height} ${width}\n`);
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}
