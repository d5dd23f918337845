// The promise-shaped fs reads the daemon makes by the hundred per pod, run synchronously. Node's
// fs/promises sends every call through libuv's thread pool: a handoff to a worker and a wakeup back,
// 40–160 µs of CPU per call on a 2-vCPU host against 2–11 µs for the same syscall made directly
// (measured: stat 41 vs 2 µs, a /proc read 160 vs 11 µs). A pod's start and teardown made ≈ 900 fs
// calls, most of them reads of pseudo-files (cgroupfs, procfs, nsfs) and of small state files.
// Reads only: a call that changes something can wait for a lock or a disk, and made directly it would
// stop the event loop for that long. Measured with 100 pods started at once: cgroup v1 mkdir waited
// ≈ 28 ms per pod for the kernel's cgroup_mutex (runc and the other pods' cgroups hold it), creating and
// renaming files whole milliseconds for ext4's journal. Those stay on fs/promises, and so do reads that
// may take long: much data (layers, logs), the mount table (a line per mount, hundreds with 100 pods),
// another process's argv (read under its memory lock), and any path a user names (a hostPath may be on
// NFS). Same names and results as fs/promises, so a call site changes only its import; a failure is a
// rejected promise, as there.
import {
  accessSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statfsSync,
  statSync,
  type Dirent,
  type Stats,
  type StatsFs,
} from 'node:fs';
import { asError } from './errors.js';

function settle<T>(call: () => T): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (err) {
    // Node's fs throws Errors (with code and path), as fs/promises rejects with them.
    return Promise.reject(asError(err));
  }
}

export function readFile(path: string): Promise<Buffer>;
export function readFile(path: string, encoding: BufferEncoding): Promise<string>;
export function readFile(path: string, encoding?: BufferEncoding): Promise<string | Buffer> {
  return settle(() => (encoding === undefined ? readFileSync(path) : readFileSync(path, encoding)));
}

export function stat(path: string): Promise<Stats> {
  return settle(() => statSync(path));
}

export function lstat(path: string): Promise<Stats> {
  return settle(() => lstatSync(path));
}

export function statfs(path: string): Promise<StatsFs> {
  return settle(() => statfsSync(path));
}

export function access(path: string, mode?: number): Promise<void> {
  return settle(() => accessSync(path, mode));
}

export function readdir(path: string): Promise<string[]>;
export function readdir(path: string, options: { withFileTypes: true }): Promise<Dirent[]>;
export function readdir(path: string, options?: { withFileTypes: true }): Promise<string[] | Dirent[]> {
  return settle(() => (options === undefined ? readdirSync(path) : readdirSync(path, options)));
}

export function realpath(path: string): Promise<string> {
  return settle(() => realpathSync(path));
}

export function readlink(path: string): Promise<string> {
  return settle(() => readlinkSync(path));
}
