// Disk is the truth: every record is written to a temporary file, fsynced, renamed into place and the
// directory fsynced, so a crash leaves either the old or the new record, never a torn one.
// Fewer fsyncs where they buy nothing (docs/reliability.md, "fsync policy"); every level keeps the
// temporary file and the rename, so a daemon that dies, even mid-write, leaves the old or the new file
// (the page cache outlives the process):
// - 'full' (default): data and directory fsynced: the new version survives a power loss.
// - 'data': the data fsynced, not the directory: after a power loss the name holds the new version or
//   the previous one, each whole (the rename is journaled); for updates that a reboot makes moot.
// - 'none': no fsync: for files whose use ends with the machine (an OCI bundle's config.json).
// Records are small: writing and closing are direct syscalls (common/quick-fs.ts says why). Creating the
// file, renaming it and the fsyncs go to the thread pool: on a journaling filesystem they can wait for a
// commit another fsync started, and that wait must not stop the event loop.
import { closeSync, fsync, mkdirSync, open, openSync, rename, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { readFile, rm } from '../common/quick-fs.js';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isErrnoException } from '../common/errors.js';

const fsyncFd = promisify(fsync);
const openFd = promisify(open);
const renameAsync = promisify(rename);

/** fsync(2) of an open descriptor on the thread pool, closed whatever happens. */
async function syncAndClose(fd: number): Promise<void> {
  try {
    await fsyncFd(fd);
  } finally {
    closeSync(fd);
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  await syncAndClose(openSync(dir, 'r'));
}

export type SyncLevel = 'full' | 'data' | 'none';

export interface WriteOptions {
  /** Default 'full'. */
  readonly sync?: SyncLevel;
}

export async function atomicWriteFile(path: string, data: string | Uint8Array, mode = 0o644, { sync = 'full' }: WriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = await openFd(tmp, 'wx', mode);
  try {
    try {
      writeFileSync(fd, data);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    if (sync === 'none') closeSync(fd);
    else await syncAndClose(fd);
    await renameAsync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
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
  await rm(path, { force: true, recursive: true });
  try {
    await fsyncDir(dirname(path));
  } catch (err) {
    if (!isErrnoException(err, 'ENOENT')) throw err;
  }
}
