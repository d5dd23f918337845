// Disk is the truth: every record is written to a temporary file, fsynced, renamed into place and the
// directory fsynced, so a crash leaves either the old or the new record, never a torn one.
// Fewer fsyncs where they buy nothing (docs/reliability.md, "fsync policy"); every level keeps the
// temporary file and the rename, so a daemon that dies, even mid-write, leaves the old or the new file
// (the page cache outlives the process):
// - 'full' (default): data and directory fsynced: the new version survives a power loss.
// - 'data': the data fsynced, not the directory: after a power loss the name holds the new version or
//   the previous one, each whole (the rename is journaled); for updates that a reboot makes moot.
// - 'none': no fsync: for files whose use ends with the machine (an OCI bundle's config.json).
// Each step that can wait (creating the file, writing it, the fsyncs, the rename) is one trip through
// libuv's thread pool, and no more: the callback API on a bare descriptor, not a FileHandle (whose
// writeFile and close are trips of their own), the directory made only when the file cannot be
// created without it, and the close of a descriptor made directly (common/quick-fs.ts says what a trip costs).
import { closeSync, fsync, open, openSync, rename, write } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { removeTree } from '../common/remove-tree.js';
import { promisify } from 'node:util';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isErrnoException } from '../common/errors.js';

const openFd = promisify(open);
const writeFd = promisify(write);
const fsyncFd = promisify(fsync);
const renameFile = promisify(rename);

/** fsync(2) on the pool, the descriptor closed whatever happens. */
async function syncAndClose(fd: number): Promise<void> {
  try {
    await fsyncFd(fd);
  } finally {
    closeSync(fd);
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  // Opening a directory read-only changes nothing on disk: made directly.
  await syncAndClose(openSync(dir, 'r'));
}

async function writeAll(fd: number, data: Uint8Array): Promise<void> {
  for (let done = 0; done < data.length;) done += (await writeFd(fd, data, done, data.length - done, null)).bytesWritten;
}

/** Creates `path` exclusively, making its directory first only if it is missing. */
async function createExclusive(path: string, mode: number): Promise<number> {
  try {
    return await openFd(path, 'wx', mode);
  } catch (err) {
    if (!isErrnoException(err, 'ENOENT')) throw err;
    await mkdir(dirname(path), { recursive: true });
    return openFd(path, 'wx', mode);
  }
}

export type SyncLevel = 'full' | 'data' | 'none';

export interface WriteOptions {
  /** Default 'full'. */
  readonly sync?: SyncLevel;
}

export async function atomicWriteFile(path: string, data: string | Uint8Array, mode = 0o644, { sync = 'full' }: WriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = await createExclusive(tmp, mode);
  try {
    try {
      await writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    if (sync === 'none') closeSync(fd);
    else await syncAndClose(fd);
    await renameFile(tmp, path);
  } catch (err) {
    await removeTree(tmp);
    throw err;
  }
  if (sync === 'full') await fsyncDir(dir);
}

export async function writeJsonAtomic(path: string, value: unknown, mode = 0o644, options: WriteOptions = {}): Promise<void> {
  await atomicWriteFile(path, `${JSON.stringify(value, null, 2)}\n`, mode, options);
}

/** Reads a JSON file; undefined when it does not exist. */
export async function readJsonIfExists(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/** Removes a file and fsyncs its directory; removing what is gone succeeds. */
export async function removeDurably(path: string): Promise<void> {
  await removeTree(path);
  try {
    await fsyncDir(dirname(path));
  } catch (err) {
    if (!isErrnoException(err, 'ENOENT')) throw err;
  }
}
