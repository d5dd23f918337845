// `rm -rf` in as few trips through libuv's thread pool as the work allows. Each fs/promises call is one
// trip (common/quick-fs.ts says what a trip costs), and Node's fs.rm({ recursive }) makes four per
// directory and two per file: an lstat of every entry, a first rmdir that fails on a full directory, then
// readdir, the unlinks and a second rmdir. A pod's teardown removes ≈ 80 entries (bundles, conmon's files,
// the pod's directories): ≈ 160 trips. Here a directory listing carries each entry's type (getdents'
// d_type), so no entry is lstat'ed: a file is one trip, a directory below the top two (readdir, then
// rmdir once its entries are gone, side by side); the top path is unlinked first, one trip more when it
// is a directory. Symbolic links are unlinked, never followed, the top path included: a container's
// writable layer holds what the container wrote, and the daemon must not be led by it anywhere.
// Writes stay on the pool (they can wait for ext4's journal: quick-fs.ts says why).
import { readdir, rmdir, unlink } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import { isErrnoException } from './errors.js';

/**
 * Removes a file, a symbolic link (not what it points to) or a whole directory tree; a path that is not
 * there is success. One trip for a file or a link: unlink(2) answers EISDIR for a directory (Linux), and
 * only for a real one.
 */
export async function removeTree(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) return;
    if (!isErrnoException(err, 'EISDIR')) throw err;
    await removeDirectory(path);
  }
}

async function removeDirectory(path: string): Promise<void> {
  const entries = await listOrGone(path);
  if (entries === undefined) return;
  // An entry of unknown type (a file system without d_type: Node lstat's those itself) goes through
  // removeTree, whose unlink tells a directory by EISDIR.
  await Promise.all(entries.map((e) => (e.isDirectory() ? removeDirectory(join(path, e.name)) : removeTree(join(path, e.name)))));
  try {
    await rmdir(path);
  } catch (err) {
    if (!isErrnoException(err, 'ENOENT')) throw err;
  }
}

/**
 * The directory's entries; undefined when the directory itself is gone. Node's listing lstat's entries
 * of unknown type, and one removed meanwhile fails the whole listing with ENOENT naming that entry: the
 * directory is then listed again, once.
 */
async function listOrGone(path: string): Promise<Dirent[] | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await readdir(path, { withFileTypes: true });
    } catch (err) {
      if (!isErrnoException(err, 'ENOENT')) throw err;
      if (err.path === path) return undefined;
      if (attempt > 0) throw err;
    }
  }
}
