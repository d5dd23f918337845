// The resident spawner's python3 program (host/spawner.ts says why it exists and its protocol).
export const SPAWNER_SCRIPT = `
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
# Mounts and namespace pins as the syscalls themselves (request "native"): mount(8), umount(8) and
# unshare(1) each cost a fork, an exec and a parse of the whole mount table (hundreds of lines with a
# hundred pods), for what one call does. Every request runs on a thread of its own, so unshare(2) here
# moves only that thread into the new namespaces, and the thread ends with the request.
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.unshare.argtypes = [ctypes.c_int]
libc.sethostname.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
MS_BIND = 4096
CLONE_FS = 0x200
NS_FLAGS = {'net': 0x40000000, 'ipc': 0x08000000, 'uts': 0x04000000}
def enc(text):
    return None if text is None else text.encode()
def check(ret, what):
    if ret != 0:
        code = ctypes.get_errno()
        raise OSError(code, what + ': ' + os.strerror(code))
def native_mount(n):
    if n.get('cwd') is not None:
        # Options relative to a directory: this thread alone moves there (its own fs struct after
        # unshare(CLONE_FS)), and the thread ends with the request.
        check(libc.unshare(CLONE_FS), 'unshare')
        os.chdir(n['cwd'])
    check(libc.mount(enc(n['source']), enc(n['target']), enc(n['fstype']), n['flags'], enc(n.get('data'))), 'mount ' + n['target'])
def native_umount(n):
    # Every target is tried; the first failure is reported (the daemon then looks at what is still mounted).
    first = None
    for target in n['targets']:
        try:
            check(libc.umount2(enc(target), n['flags']), 'umount ' + target)
        except OSError as e:
            first = first or e
    if first is not None:
        raise first
def native_pin(n):
    flags = 0
    for pin in n['pins']:
        flags |= NS_FLAGS[pin['kind']]
    check(libc.unshare(flags), 'unshare')
    if n.get('hostname') is not None:
        name = n['hostname'].encode()
        check(libc.sethostname(name, len(name)), 'sethostname')
    for pin in n['pins']:
        check(libc.mount(enc('/proc/thread-self/ns/' + pin['kind']), enc(pin['path']), None, MS_BIND, None), 'bind ' + pin['kind'] + ' namespace at ' + pin['path'])
NATIVE = {'mount': native_mount, 'umount': native_umount, 'pin': native_pin}
def run_native(req):
    try:
        NATIVE[req['native']['op']](req['native'])
    except OSError as e:
        reply({'id': req['id'], 'error': errno_name(e), 'message': e.strerror or str(e)})
        return
    reply(dict(id=req['id'], code=0, signal=None, stdout='', stderr='', timedOut=False))
def run(req):
    try:
        (run_native if req.get('native') else start_conmon if req.get('conmon') else run_one)(req)
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
