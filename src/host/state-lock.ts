// One daemon per state directory: an exclusive flock(2) on a lock file in each of the daemon's roots,
// held for the daemon's whole life and dropped by the kernel when the process dies, however it dies.
//
// Node has no flock. util-linux's flock(1) gets one without a native module: we open the lock file
// and hand that open file description to `flock --nonblock 3` as its fd 3. A flock belongs to the
// open file description, not to the process that asked for it, so the lock stays when flock(1) has
// exited, for as long as our fd is open. Node opens files close-on-exec, so conmon and runc never
// inherit it: the lock is gone the moment the daemon is.
//
// The lock file is never deleted: deleting it would let a later daemon lock a new inode while an
// earlier contender still held (or was about to lock) the old one.
import { spawn } from 'node:child_process';
import { closeSync, constants, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PeapodError } from '../common/errors.js';

export const STATE_LOCK_FILE = 'peapod.lock';
/** flock(1)'s exit code when the lock is taken (--conflict-exit-code): distinct from its own errors. */
const HELD_EXIT_CODE = 75;
const FLOCK_TIMEOUT_MS = 10_000;
/** A holder writes its PID just after it locks: a contender that reads in between waits this long for it. */
const HOLDER_PID_WAIT_MS = 1000;

export interface StateLock {
  readonly paths: readonly string[];
  /** Drops the locks (closing the fds); idempotent. */
  release(): void;
}

export class StateLockHeld extends PeapodError {
  readonly holderPid: number | undefined;
  constructor(lockPath: string, holderPid: number | undefined) {
    const who = holderPid === undefined ? 'another peapod daemon' : `another peapod daemon (pid ${holderPid})`;
    super(
      'AlreadyExists',
      `${who} holds ${lockPath}: one daemon per state directory`,
      holderPid === undefined ? {} : { hint: `stop it first (kill ${holderPid})` },
    );
    this.holderPid = holderPid;
  }
}

/** Locks every directory in order (made 0700 if missing); throws StateLockHeld naming the holder's PID. */
export async function acquireStateLock(dirs: readonly string[], flockPath = 'flock'): Promise<StateLock> {
  const held: number[] = [];
  const release = (): void => {
    for (const fd of held.splice(0)) closeSync(fd);
  };
  try {
    for (const dir of [...new Set(dirs)]) held.push(await lockOne(join(dir, STATE_LOCK_FILE), dir, flockPath));
  } catch (err) {
    release();
    throw err;
  }
  return { paths: [...new Set(dirs)].map((d) => join(d, STATE_LOCK_FILE)), release };
}

async function lockOne(lockPath: string, dir: string, flockPath: string): Promise<number> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // O_NOFOLLOW: a symlink planted as the lock file is refused, not followed.
  const fd = openSync(lockPath, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  try {
    const code = await flockNonBlocking(fd, flockPath);
    if (code === HELD_EXIT_CODE) throw new StateLockHeld(lockPath, await readHolderPid(lockPath));
    if (code !== 0) throw new PeapodError('Internal', `${flockPath} --exclusive --nonblock ${lockPath} failed (exit ${code})`);
    const text = `${process.pid}\n`;
    ftruncateSync(fd, 0);
    writeSync(fd, text, 0);
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

function flockNonBlocking(fd: number, flockPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(flockPath, ['--exclusive', '--nonblock', '--conflict-exit-code', String(HELD_EXIT_CODE), '3'], {
      stdio: ['ignore', 'ignore', 'pipe', fd],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), FLOCK_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        missing
          ? new PeapodError('FailedPrecondition', `${flockPath}: not found (util-linux)`, { hint: 'run scripts/setup.sh to install it', cause: err })
          : err,
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === null) reject(new PeapodError('Internal', `${flockPath} was killed (${signal ?? 'unknown signal'}): ${stderr.trim()}`));
      else if (code !== 0 && code !== HELD_EXIT_CODE) reject(new PeapodError('Internal', `${flockPath}: exit ${code}: ${stderr.trim()}`));
      else resolve(code);
    });
  });
}

/** The PID the holder wrote; it may not be there yet when the holder has only just locked. */
async function readHolderPid(lockPath: string): Promise<number | undefined> {
  const deadline = Date.now() + HOLDER_PID_WAIT_MS;
  for (;;) {
    const pid = parseHolderPid(readFileSync(lockPath, 'utf8'));
    // A dead PID is the previous holder's, not yet overwritten by the new one.
    if ((pid !== undefined && processExists(pid)) || Date.now() >= deadline) return pid;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function parseHolderPid(text: string): number | undefined {
  const value = Number(text.trim());
  return Number.isInteger(value) && value > 0 ? value : undefined;
}
