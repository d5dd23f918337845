// A client of conmon's attach socket (<bundle>/attach with --full-attach), the way CRI-O's AttachContainer
// uses it. The socket is SOCK_SEQPACKET, which Node's net module cannot open, so a small python3 relay
// (Debian's python3; see docs/dependencies.md) connects and frames it for us:
//   our stdin → relay → one packet per read → conmon → the container's stdin (conmon -i);
//   EOF on our stdin → shutdown(SHUT_WR) → conmon closes the container's stdin unless --leave-stdin-open;
//   conmon → relay: each packet is <pipe id byte><bytes> (conmon ctr_stdio.c: 2 stdout, 3 stderr); the relay
//   writes it to its stdout as <u32 big-endian length><packet>, since a pipe would merge packet boundaries;
//   conmon closes the socket when the container has exited and its output is drained: the relay exits 0.
import { spawn } from 'node:child_process';
import { PassThrough, type Readable, type Writable } from 'node:stream';

/** Debian's python3-minimal path; an absolute path keeps PATH shims (pyenv and the like) out of a root daemon. */
export const PYTHON3 = '/usr/bin/python3';
/** conmon's listen backlog is 10: a connect that finds it full fails after this instead of waiting. */
const CONNECT_TIMEOUT_S = 5;
const MAX_RELAY_STDERR = 4096;
const FRAME_HEADER = 4;
const CONMON_STDOUT = 2;
const CONMON_STDERR = 3;

/**
 * The relay. -I -S: isolated from PYTHON* variables, user and site packages. The directory is opened first
 * and the socket reached through /proc/self/fd, as conmon binds it: sun_path holds only 108 bytes.
 */
const RELAY = `
import os, select, socket, struct, sys
path = sys.argv[1]
d = os.open(os.path.dirname(path), os.O_PATH)
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(${CONNECT_TIMEOUT_S})
try:
    s.connect('/proc/self/fd/%d/%s' % (d, os.path.basename(path)))
except OSError as e:
    sys.stderr.write('cannot connect to conmon attach socket %s: %s\\n' % (path, e.strerror or e))
    sys.exit(2)
os.close(d)
s.settimeout(None)
watch = [0, s]
try:
    while True:
        for r in select.select(watch, [], [])[0]:
            if r == 0:
                data = os.read(0, 8192)  # conmon receives a packet into 32 KiB (CONN_SOCK_BUF_SIZE)
                if data:
                    s.sendall(data)
                else:
                    s.shutdown(socket.SHUT_WR)
                    watch.remove(0)
            else:
                packet = s.recv(65536)
                if not packet:
                    sys.exit(0)
                out = struct.pack('>I', len(packet)) + packet
                while out:
                    out = out[os.write(1, out):]
except (BrokenPipeError, ConnectionResetError):
    sys.exit(0)
`;

export interface AttachConnection {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once the relay is gone: 0 when conmon closed the socket; otherwise `error` says why. */
  readonly exited: Promise<{ code: number; error?: string }>;
  close(): void;
}

/** Connects to conmon's attach socket at `socketPath` (the container's bundle + "/attach"). */
export function connectAttachSocket(socketPath: string): AttachConnection {
  const child = spawn(PYTHON3, ['-I', '-S', '-c', RELAY, socketPath], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let relayError = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (relayError.length < MAX_RELAY_STDERR) relayError += chunk.toString('utf8');
  });
  // A client that goes away mid-write must not crash the daemon with EPIPE.
  child.stdin.on('error', () => undefined);
  let pending: Buffer = Buffer.alloc(0);
  child.stdout.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= FRAME_HEADER) {
      const length = pending.readUInt32BE(0);
      if (pending.length < FRAME_HEADER + length) break;
      const packet = pending.subarray(FRAME_HEADER, FRAME_HEADER + length);
      pending = pending.subarray(FRAME_HEADER + length);
      const target = packet[0] === CONMON_STDOUT ? stdout : packet[0] === CONMON_STDERR ? stderr : undefined;
      if (packet.length > 1) target?.write(packet.subarray(1));
    }
  });
  const exited = new Promise<{ code: number; error?: string }>((resolve) => {
    child.once('error', (err) => {
      stdout.end();
      stderr.end();
      resolve({ code: 127, error: `cannot run ${PYTHON3} for the attach relay: ${err.message}` });
    });
    child.once('close', (code, signal) => {
      stdout.end();
      stderr.end();
      const why = relayError.trim();
      resolve(code === 0 ? { code: 0 } : { code: code ?? 128, error: why !== '' ? why : `attach relay ended by ${signal ?? `exit ${code}`}` });
    });
  });
  return {
    stdin: child.stdin,
    stdout,
    stderr,
    exited,
    close() {
      child.kill('SIGKILL');
    },
  };
}
