// File helpers shared by the v1 and v2 managers: cgroup paths are checked once here, pseudo-files are
// read and written as short strings, and directory removal is injectable so unit tests can run on a
// plain tmpfs/ext4 tree (where, unlike cgroupfs, rmdir refuses a directory that still holds files).
import { readFile as readFileOnPool, rmdir, writeFile } from 'node:fs/promises';
import { readdir, readFile } from '../../common/quick-fs.js';
import { basename, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { invalid, isErrnoException } from '../../common/errors.js';

/** rmdir of a cgroup whose last task is still exiting fails with EBUSY for a moment (runc retries 5 times too). */
export const REMOVE_BUSY_RETRIES = 5;
/** First backoff between EBUSY retries, doubled each time: 10+20+40+80+160 ms ≈ 0.3 s in all. */
export const REMOVE_BUSY_BACKOFF_MS = 10;

export type RemoveDir = (dir: string) => Promise<void>;

export interface CgroupFsOptions {
  /** How to remove one (childless) cgroup directory; default rmdir(2). */
  readonly removeDir?: RemoveDir;
}

/** Splits "/a/b/c" into ["a", "b", "c"]; rejects relative paths and "." or ".." segments. */
export function cgroupSegments(path: string): string[] {
  if (!path.startsWith('/')) throw invalid(`cgroup path ${JSON.stringify(path)} must be absolute, like /peapod/kubepods`);
  const segments = path.split('/').filter((s) => s !== '');
  for (const s of segments) {
    if (s === '.' || s === '..') throw invalid(`cgroup path ${JSON.stringify(path)} may not contain "." or ".." segments`);
  }
  return segments;
}

/**
 * The contents of a pseudo-file, trimmed; undefined when it does not exist. Control files are read
 * directly (common/quick-fs.ts); on the thread pool, a statistics file (memory.stat, cpu.stat: reading
 * one makes the kernel flush the cgroup's per-CPU counters first, which takes milliseconds on a busy host)
 * and a v1 cpuset file (read directly, cpuset.cpus and cpuset.mems held the event loop ≈ 9 ms per pod
 * with 100 pods starting, measured in a CPU profile of the daemon).
 */
export async function readOptional(file: string): Promise<string | undefined> {
  const read = file.endsWith('.stat') || basename(file).startsWith('cpuset.') ? readFileOnPool : readFile;
  try {
    return (await read(file, 'utf8')).trim();
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) return undefined;
    throw err;
  }
}

export async function writeValue(file: string, value: string | number): Promise<void> {
  await writeFile(file, String(value));
}

export function parseIntOrUndefined(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
  return Number(text);
}

/** "key value" lines (memory.events, memory.oom_control) → the value of `key`. */
export function flatKeyed(text: string | undefined, key: string): number | undefined {
  if (text === undefined) return undefined;
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k === key) return parseIntOrUndefined(v);
  }
  return undefined;
}

export function parsePids(text: string | undefined): number[] {
  if (text === undefined) return [];
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** Every directory at or below `dir`, deepest first (children before their parent); [] when gone. */
export async function dirsDeepestFirst(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isErrnoException(err, 'ENOENT') || isErrnoException(err, 'ENOTDIR')) return [];
    throw err;
  }
  const out: string[] = [];
  for (const e of entries) {
    if (e.isDirectory()) out.push(...(await dirsDeepestFirst(join(dir, e.name))));
  }
  out.push(dir);
  return out;
}

/** rmdir with the EBUSY retry; ENOENT counts as removed. `tried`: attempts already made (and refused with EBUSY). */
export async function removeCgroupDir(dir: string, removeDir: RemoveDir = rmdir, tried = 0): Promise<void> {
  if (tried > 0) await delay(REMOVE_BUSY_BACKOFF_MS * 2 ** (tried - 1));
  for (let attempt = tried; ; attempt++) {
    try {
      await removeDir(dir);
      return;
    } catch (err) {
      if (isErrnoException(err, 'ENOENT')) return;
      if (!isErrnoException(err, 'EBUSY') || attempt >= REMOVE_BUSY_RETRIES) throw err;
      await delay(REMOVE_BUSY_BACKOFF_MS * 2 ** attempt);
    }
  }
}

/**
 * Removes `dir` and every cgroup below it, deepest first. The usual cgroup is a leaf by then (runc
 * removed its containers' cgroups): one rmdir, and only a refused one (EBUSY: child cgroups or tasks
 * still leaving; ENOTEMPTY on a plain tree) lists the directory, whose entries are every control file.
 */
export async function removeTree(dir: string, removeDir: RemoveDir = rmdir): Promise<void> {
  let refused: unknown;
  try {
    await removeDir(dir);
    return;
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) return;
    refused = err;
  }
  // Listed only now. Gone after all is no error: rmdir(2) says EROFS before it looks the name up, so a
  // read-only mount over a parent refuses even a directory that is not there.
  const dirs = await dirsDeepestFirst(dir);
  // A leaf refused with EBUSY has had its first attempt of the retries.
  const tried = isErrnoException(refused, 'EBUSY') && dirs.length === 1 ? 1 : 0;
  for (const d of dirs) await removeCgroupDir(d, removeDir, d === dir ? tried : 0);
}

/** Cgroup paths ("/a/b") of `dir` and the directories below it, relative to the hierarchy mount `mount`. */
export async function listCgroupPaths(mount: string, dir: string): Promise<string[]> {
  const dirs = await dirsDeepestFirst(dir);
  return dirs.map((d) => {
    const rel = d.slice(mount.length);
    return rel === '' ? '/' : rel;
  });
}

/** exactOptionalPropertyTypes: optional fields are left out rather than set to undefined. */
export function compact<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
