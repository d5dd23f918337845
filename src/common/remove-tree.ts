// `rm -rf` in as few trips through libuv's thread pool as the work allows. Each fs/promises call is one
// trip (common/quick-fs.ts says what a trip costs here), and Node's fs.rm({ recursive }) makes four per
// directory and two per file: an lstat of every entry, a first rmdir that fails on a full directory, then
// readdir, the unlinks and a second rmdir. A pod's teardown removes ≈ 80 entries (bundles, conmon's files,
// the pod's directory): ≈ 160 trips. Here the directory listing carries each entry's type (getdents'
// d_type), so no entry is lstat'ed: a file is one trip, a directory three (readdir, its entries side by
// side, rmdir). Symbolic links are unlinked, never followed: a container's writable layer holds what the
// container wrote, and the daemon must not be led by it anywhere.
// Writes stay on the pool (they can wait for ext4's journal: quick-fs.ts says why).
import { readdir, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrnoException } from './errors.js';

/** Removes a file, a symbolic link or a whole directory tree; a path that is not there is success. */
export async function removeTree(path: string): Promise<void> {
  await removeDirectory(path, 'unknown');
}

/**
 * Removes what is most likely a file (one trip): a directory found there is removed whole, and a path
 * that is not there is success.
 */
export async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) return;
    // unlink(2) answers EISDIR for a directory (Linux).
    if (!isErrnoException(err, 'EISDIR')) throw err;
    await removeDirectory(path, 'directory');
  }
}

async function removeDirectory(path: string, known: 'directory' | 'unknown'): Promise<void> {
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) return;
    if (known === 'unknown' && isErrnoException(err, 'ENOTDIR')) return removeFile(path);
    throw err;
  }
  // A file system without d_type reports every entry as unknown: unlink tries first, as for removeFile.
  await Promise.all(entries.map((e) => (e.isDirectory() ? removeDirectory(join(path, e.name), 'directory') : removeFile(join(path, e.name)))));
  try {
    await rmdir(path);
  } catch (err) {
    if (!isErrnoException(err, 'ENOENT')) throw err;
  }
}
