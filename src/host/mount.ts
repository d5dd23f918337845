// Mounts, and the kernel's own list of them from /proc/self/mountinfo. Unmounting what is not mounted, or
// not there, succeeds. In the daemon, overlays, tmpfs and unmounts are the syscalls made by its resident
// spawner (host/spawner-script.ts: no fork, no exec, no parse of the whole mount table as mount(8) and
// umount(8) do for each call); elsewhere (the CLI, the tests' helpers) and for binds, mount(8)/umount(8).
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { invalid, isErrnoException } from '../common/errors.js';
import { statfs } from '../common/quick-fs.js';
import { CommandError, currentSpawner, run } from './exec.js';

/** mount(2) copies its data argument as one page, NUL included (fs/namespace.c copy_mount_options). */
export const MOUNT_DATA_MAX_BYTES = 4096 - 1;

const MOUNT_TIMEOUT_MS = 10_000;
/** mount(2) and umount2(2) flags (linux/mount.h, sys/mount.h). */
const MS_NOSUID = 0x2;
const MS_NODEV = 0x4;
const MS_NOEXEC = 0x8;
const MNT_DETACH = 0x2;
/** The last component is not followed: the target is the real path we resolved, a symlink made there since is refused. */
const UMOUNT_NOFOLLOW = 0x8;

export interface MountInfo {
  readonly id: number;
  readonly parentId: number;
  /** Path inside the source filesystem that is mounted (a bind mount's source directory). */
  readonly root: string;
  readonly target: string;
  readonly options: string;
  readonly fsType: string;
  readonly source: string;
  readonly superOptions: string;
  /** From the optional fields: shared:N → shared, else master:N → slave, else private. */
  readonly propagation: MountPropagation;
}

export type MountPropagation = 'shared' | 'slave' | 'private';

/** The mount(8) options and working directory of an overlay mount. */
export interface OverlayPlan {
  readonly options: string;
  /** The directory the options' relative paths start from. */
  readonly cwd?: string;
}

function checkOverlayPath(path: string, what: string): void {
  // ':' separates lowerdirs and ',' separates options; overlayfs has escapes for neither in mount(8).
  if (path.includes(',') || path.includes(':')) throw invalid(`overlay ${what} "${path}" contains ',' or ':', which overlayfs options cannot carry`);
}

function commonDir(paths: readonly string[]): string {
  let common = dirname(paths[0] ?? '/');
  for (const p of paths) {
    while (common !== '/' && !(p === common || p.startsWith(common + sep))) common = dirname(common);
  }
  return common;
}

/**
 * Builds the overlay options, relative to the directory holding the upper and work dirs (a container's
 * own): the kernel keeps them as given and prints them in every line of /proc/self/mountinfo, which runc
 * reads several times per command, so with 100 pods absolute paths (three 64-hex IDs per overlay) made
 * that file twice as long as it needs to be (167 KB against the floor's 84, 2.8 ms a read against 1.4).
 * When the options exceed one page even so, lowerdirs are given relative to their common parent
 * directory instead, as containerd does (mount_linux.go compactLowerdirOption).
 */
export function planOverlay(lowerDirs: readonly string[], upperDir: string, workDir: string): OverlayPlan {
  if (lowerDirs.length === 0) throw invalid('an overlay mount needs at least one lower directory');
  const lowers = lowerDirs.map((d) => resolve(d));
  const upper = resolve(upperDir);
  const work = resolve(workDir);
  lowers.forEach((d) => checkOverlayPath(d, 'lowerdir'));
  checkOverlayPath(upper, 'upperdir');
  checkOverlayPath(work, 'workdir');
  const build = (ls: readonly string[], u = upper, w = work): string => `lowerdir=${ls.join(':')},upperdir=${u},workdir=${w}`;
  const home = dirname(upper);
  if (dirname(work) === home) {
    const local = build(
      lowers.map((d) => relative(home, d) || '.'),
      basename(upper),
      basename(work),
    );
    if (Buffer.byteLength(local) <= MOUNT_DATA_MAX_BYTES) return { options: local, cwd: home };
  } else {
    const full = build(lowers);
    if (Buffer.byteLength(full) <= MOUNT_DATA_MAX_BYTES) return { options: full };
  }
  const cwd = commonDir(lowers);
  const compact = build(lowers.map((d) => relative(cwd, d) || '.'));
  if (Buffer.byteLength(compact) > MOUNT_DATA_MAX_BYTES) {
    throw invalid(`overlay options need ${Buffer.byteLength(compact)} bytes even with relative lowerdirs; at most ${MOUNT_DATA_MAX_BYTES} fit`, {
      hint: 'use fewer image layers or shorter storage paths',
    });
  }
  return { options: compact, cwd };
}

/** Overlay of `lowerDirs` (top-most first) with a writable upper layer, at `target`. */
export async function mountOverlay(lowerDirs: readonly string[], upperDir: string, workDir: string, target: string): Promise<void> {
  // Resolved first: a relative '..' is walked from where the directory really is, so a symlinked
  // directory on the way (an operator's storage moved to another disk) must not send it elsewhere.
  const [upper = upperDir, work = workDir, ...lowers] = await Promise.all([upperDir, workDir, ...lowerDirs].map((d) => realpath(d)));
  const plan = planOverlay(lowers, upper, work);
  const spawner = currentSpawner();
  if (spawner) {
    const call = { op: 'mount', source: 'overlay', target, fstype: 'overlay', flags: 0, data: plan.options } as const;
    await spawner.native(plan.cwd === undefined ? call : { ...call, cwd: plan.cwd }, MOUNT_TIMEOUT_MS);
    return;
  }
  await run('mount', ['-t', 'overlay', 'overlay', '-o', plan.options, target], {
    timeoutMs: MOUNT_TIMEOUT_MS,
    ...(plan.cwd === undefined ? {} : { cwd: plan.cwd }),
  });
}

export interface TmpfsOptions {
  readonly sizeBytes?: number;
  readonly mode?: number;
  /** nosuid, nodev, noexec: a filesystem for data only (a pod's /dev/shm). */
  readonly dataOnly?: boolean;
  /** What mountinfo shows as its source; "tmpfs" by default. */
  readonly source?: string;
}

export async function mountTmpfs(target: string, options: TmpfsOptions = {}): Promise<void> {
  const data: string[] = [];
  if (options.sizeBytes !== undefined) {
    if (!Number.isInteger(options.sizeBytes) || options.sizeBytes <= 0) throw invalid(`tmpfs size ${options.sizeBytes} must be a positive integer of bytes`);
    data.push(`size=${options.sizeBytes}`);
  }
  if (options.mode !== undefined) data.push(`mode=${options.mode.toString(8).padStart(4, '0')}`);
  const source = options.source ?? 'tmpfs';
  const spawner = currentSpawner();
  if (spawner) {
    const flags = options.dataOnly === true ? MS_NOSUID | MS_NODEV | MS_NOEXEC : 0;
    await spawner.native({ op: 'mount', source, target, fstype: 'tmpfs', flags, ...(data.length > 0 ? { data: data.join(',') } : {}) }, MOUNT_TIMEOUT_MS);
    return;
  }
  const opts = [...(options.dataOnly === true ? ['nosuid', 'nodev', 'noexec'] : []), ...data];
  await run('mount', ['-t', 'tmpfs', ...(opts.length > 0 ? ['-o', opts.join(',')] : []), source, target], { timeoutMs: MOUNT_TIMEOUT_MS });
}

/**
 * Bind mount; with readOnly, mount(8) binds then remounts read-only (util-linux ≥ 2.27). With exact the
 * paths are not canonicalized, so a /proc/<pid>/fd/<n> source binds what that descriptor holds, not
 * whatever its path names by then (the kubelet's subPath bind).
 */
export async function bindMount(source: string, target: string, options: { readOnly?: boolean; recursive?: boolean; exact?: boolean } = {}): Promise<void> {
  const args = [...(options.exact === true ? ['--no-canonicalize'] : []), options.recursive === true ? '--rbind' : '--bind'];
  if (options.readOnly === true) args.push('-o', 'ro');
  await run('mount', [...args, source, target], { timeoutMs: MOUNT_TIMEOUT_MS });
}

/** Unmounts the top-most mount at `target`; not mounted or not there = success. */
export async function unmount(target: string, options: { lazy?: boolean } = {}): Promise<void> {
  let path: string;
  try {
    // mountinfo lists canonical paths.
    path = await realpath(target);
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) return;
    throw err;
  }
  if (!(await onOwnDevice(path)) && !(await isMountPoint(path))) return;
  try {
    await unmountAll([path], options);
  } catch (err) {
    // Someone else may have unmounted it between our check and the unmount.
    if (unmountFailed(err) && !(await isMountPoint(path))) return;
    throw err;
  }
}

/**
 * Unmounts the top-most mount at each of `paths` (real paths, each mounted): one umount(8), or in the
 * daemon one request to its spawner. Every path is tried; a failure is thrown after the others were.
 */
export async function unmountAll(paths: readonly string[], options: { lazy?: boolean } = {}): Promise<void> {
  if (paths.length === 0) return;
  const spawner = currentSpawner();
  if (spawner) {
    await spawner.native({ op: 'umount', targets: paths, flags: (options.lazy === true ? MNT_DETACH : 0) | UMOUNT_NOFOLLOW }, MOUNT_TIMEOUT_MS);
    return;
  }
  await run('umount', [...(options.lazy === true ? ['-l'] : []), ...paths], { timeoutMs: MOUNT_TIMEOUT_MS });
}

/**
 * The unmount failed rather than timed out: umount(8)'s exit, or an errno from the spawner (the syscall's, or
 * EPIPE/EIO when the spawner was lost or failed). Either way the caller then looks at what is still mounted.
 */
function unmountFailed(err: unknown): boolean {
  return err instanceof CommandError || (err instanceof Error && isErrnoException(err) && /^E[A-Z0-9]+$/.test(String(err.code)));
}

/** Whether `path` lives on a filesystem of type `magic` (statfs(2) f_type, linux/magic.h); a missing path does not. */
export async function onFilesystemType(path: string, magic: number): Promise<boolean> {
  try {
    return (await statfs(path)).type === magic;
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) return false;
    throw err;
  }
}

/**
 * A (real) path on another device than its parent is a mount point for sure: an overlay or a tmpfs is.
 * The cheap answer first, as mountinfo holds a line per mount (hundreds with a hundred pods) and is
 * read whole; a bind of the same filesystem shares its parent's device, so "no" still asks mountinfo.
 */
export async function onOwnDevice(path: string): Promise<boolean> {
  try {
    const [own, parent] = await Promise.all([stat(path), stat(dirname(path))]);
    return own.dev !== parent.dev;
  } catch {
    return false;
  }
}

export async function isMountPoint(target: string): Promise<boolean> {
  const path = resolve(target);
  return (await readMountInfo()).some((m) => m.target === path);
}

/** Undoes mountinfo's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash). */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses /proc/<pid>/mountinfo (proc(5)): fields, optional fields up to "-", then type, source, super options. */
export function parseMountInfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 3) continue;
    mounts.push({
      id: Number(fields[0]),
      parentId: Number(fields[1]),
      root: unescapeMountField(fields[3] ?? ''),
      target: unescapeMountField(fields[4] ?? ''),
      options: fields[5] ?? '',
      fsType: fields[dash + 1] ?? '',
      source: unescapeMountField(fields[dash + 2] ?? ''),
      superOptions: fields[dash + 3] ?? '',
      propagation: propagationFrom(fields.slice(6, dash)),
    });
  }
  return mounts;
}

function propagationFrom(optional: readonly string[]): MountPropagation {
  if (optional.some((f) => f.startsWith('shared:'))) return 'shared';
  return optional.some((f) => f.startsWith('master:')) ? 'slave' : 'private';
}

/**
 * The mount a path lives on (the deepest mount point above its real path; of mounts stacked on one
 * point, the last) and so its propagation: what decides whether mounts made later under the path reach
 * a container's bind of it.
 */
export async function mountOf(path: string): Promise<MountInfo | undefined> {
  const real = await realpath(path);
  let best: MountInfo | undefined;
  for (const m of await readMountInfo()) {
    if (isUnder(real, m.target) && (best === undefined || m.target.length >= best.target.length)) best = m;
  }
  return best;
}

export async function readMountInfo(file = '/proc/self/mountinfo'): Promise<MountInfo[]> {
  return parseMountInfo(await readFile(file, 'utf8'));
}

export function isUnder(path: string, prefix: string): boolean {
  const p = resolve(prefix);
  return path === p || path.startsWith(p === '/' ? '/' : p + sep);
}

/** Mounts whose target is `prefix` or below it, in mount order. */
export async function listMounts(prefix: string): Promise<MountInfo[]> {
  return (await readMountInfo()).filter((m) => isUnder(m.target, prefix));
}
