// The kubelet's AtomicWriter (pkg/volume/util/atomic_writer.go) for configMap, secret, downwardAPI and
// projected volumes. The payload lives in a timestamped directory (`..2026_12_07_05_20_00.Ab12Cd`),
// `..data` is a symlink to it and every user-visible name is a symlink into `..data`. An update is
// written into a fresh directory, `..data_tmp` is pointed at it and renamed over `..data` (one atomic
// step), so a reader sees the old or the new payload, never a mix. Nothing is ever written through a
// path that existed before: files are created with O_EXCL|O_NOFOLLOW in the fresh directory, and the
// volume's own entries are checked with lstat and replaced, never written into.
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, open, readFile, readdir, readlink, rename, rm, symlink, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PeapodError, isErrnoException } from '../../common/errors.js';
import { checkItemPath, type ProjectedFile } from './files.js';

export const DATA_DIR_NAME = '..data';
const DATA_TMP_NAME = '..data_tmp';
const PAYLOAD_DIR_MODE = 0o755;

/** A payload keyed by its cleaned relative path. */
export type Payload = ReadonlyMap<string, { readonly content: Uint8Array; readonly mode: number }>;

/** Validates the files' paths as the AtomicWriter does: relative, no `..` (nor a leading `..` name), no file inside another. */
export function buildPayload(files: readonly ProjectedFile[]): Payload {
  const payload = new Map<string, { content: Uint8Array; mode: number }>();
  for (const file of files) {
    // checkItemPath also refuses a leading `..`, which keeps ..data and the payload directories reserved.
    const path = checkItemPath(file.path, 'path');
    payload.set(path, { content: file.content, mode: file.mode });
  }
  for (const path of payload.keys()) {
    for (let parent = dirname(path); parent !== '.'; parent = dirname(parent)) {
      if (payload.has(parent))
        throw new PeapodError('InvalidArgument', `path: Invalid value: ${JSON.stringify(parent)}: is both a file and the directory of ${JSON.stringify(path)}`);
    }
  }
  return payload;
}

/** `..2026_12_07_05_20_00.` in UTC, the prefix the kubelet gives its payload directories. */
export function payloadDirPrefix(now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `..${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}.`;
}

/**
 * Projects `files` into `dir` atomically. Returns false when the payload on disk already matches
 * (content and set of files, as the kubelet compares), so calling it on every sync is cheap.
 * `setPerms` runs on the new payload directory before it becomes visible (fsGroup ownership).
 */
export async function writeAtomic(
  dir: string,
  files: readonly ProjectedFile[],
  options: { now?: Date; setPerms?: (payloadDir: string) => Promise<void> } = {},
): Promise<boolean> {
  const payload = buildPayload(files);
  await mkdir(dir, { recursive: true, mode: PAYLOAD_DIR_MODE });
  if (!(await lstat(dir)).isDirectory()) throw new PeapodError('Internal', `volume directory ${dir} is not a directory`);
  const current = await currentPayloadDir(dir);
  const unchanged = current !== undefined && (await payloadMatches(join(dir, current), payload));
  let active = current;
  if (!unchanged) {
    const fresh = await mkdtemp(join(dir, payloadDirPrefix(options.now ?? new Date())));
    await chmod(fresh, PAYLOAD_DIR_MODE);
    await writePayload(fresh, payload);
    if (options.setPerms) await options.setPerms(fresh);
    active = fresh.slice(dir.length + 1);
    await removeEntry(join(dir, DATA_TMP_NAME));
    await symlink(active, join(dir, DATA_TMP_NAME));
    await rename(join(dir, DATA_TMP_NAME), join(dir, DATA_DIR_NAME));
  }
  await syncUserVisible(dir, payload);
  // Old payload directories and a crash's leftovers (a stray ..data_tmp, a never-swapped directory).
  for (const name of await readdir(dir)) {
    if (name.startsWith('..') && name !== DATA_DIR_NAME && name !== active) await removeEntry(join(dir, name));
  }
  return !unchanged;
}

/** The payload directory `..data` points at, when it is a symlink to a `..` name in the volume. */
async function currentPayloadDir(dir: string): Promise<string | undefined> {
  let target: string;
  try {
    target = await readlink(join(dir, DATA_DIR_NAME));
  } catch (err) {
    if (isErrnoException(err, 'ENOENT') || isErrnoException(err, 'EINVAL')) return undefined;
    throw err;
  }
  if (!target.startsWith('..') || target.includes('/') || target === DATA_DIR_NAME || target === DATA_TMP_NAME) return undefined;
  const info = await lstat(join(dir, target)).catch(() => undefined);
  return info?.isDirectory() === true ? target : undefined;
}

async function payloadMatches(payloadDir: string, payload: Payload): Promise<boolean> {
  const onDisk = await listRegularFiles(payloadDir);
  if (onDisk === undefined || onDisk.length !== payload.size) return false;
  for (const path of onDisk) {
    const wanted = payload.get(path);
    if (!wanted) return false;
    const content = await readFile(join(payloadDir, path), { flag: constants.O_RDONLY | constants.O_NOFOLLOW });
    if (!Buffer.from(wanted.content).equals(content)) return false;
  }
  return true;
}

/** Relative paths of the regular files below dir; undefined when anything else (a symlink, a device) is there. */
async function listRegularFiles(dir: string): Promise<string[] | undefined> {
  const files: string[] = [];
  const stack = [''];
  for (let budget = 10_000; stack.length > 0; budget--) {
    if (budget === 0) return undefined;
    const rel = stack.pop() ?? '';
    for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) stack.push(path);
      else if (entry.isFile()) files.push(path);
      else return undefined;
    }
  }
  return files;
}

/** Files are created exclusively without following links, in a directory nobody else has seen yet. */
async function writePayload(payloadDir: string, payload: Payload): Promise<void> {
  for (const [path, { content, mode }] of payload) {
    const target = join(payloadDir, path);
    await mkdir(dirname(target), { recursive: true, mode: PAYLOAD_DIR_MODE });
    const handle = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
    try {
      await handle.writeFile(content);
      // The umask cut the mode given to open(2).
      await handle.chmod(mode);
    } finally {
      await handle.close();
    }
  }
}

/** Each top-level name of the payload is a symlink `name -> ..data/name`; names no longer in the payload go. */
async function syncUserVisible(dir: string, payload: Payload): Promise<void> {
  const wanted = new Set([...payload.keys()].map((path) => path.split('/')[0] ?? path));
  for (const name of wanted) {
    const path = join(dir, name);
    const target = `${DATA_DIR_NAME}/${name}`;
    const info = await lstat(path).catch((err: unknown) => {
      if (isErrnoException(err, 'ENOENT')) return undefined;
      throw err;
    });
    if (info?.isSymbolicLink() && (await readlink(path)) === target) continue;
    // A file or directory of the old flat layout, or a wrong link: replaced, never written through.
    if (info) await removeEntry(path);
    await symlink(target, path);
  }
  for (const name of await readdir(dir)) {
    if (!name.startsWith('..') && !wanted.has(name)) await removeEntry(join(dir, name));
  }
}

/** Removes a file, a symlink (not what it points at) or a directory tree; gone already = success. */
async function removeEntry(path: string): Promise<void> {
  const info = await lstat(path).catch((err: unknown) => {
    if (isErrnoException(err, 'ENOENT')) return undefined;
    throw err;
  });
  if (!info) return;
  if (info.isDirectory()) await rm(path, { recursive: true, force: true });
  else await unlink(path);
}
