// Reads a file of a container's root filesystem as the container would see it, from the host, as root,
// without ever leaving that root: an image may ship /etc/passwd as a symlink to /etc/shadow or to
// ../../../../etc/shadow, which a plain readFile would follow onto the host. Every component is looked
// at with lstat; a symlink is resolved against the rootfs (an absolute target restarts at the rootfs,
// '..' stops at it), as the kernel would resolve it inside the container after pivot_root.
import { open } from 'node:fs/promises';
import { lstat, readlink } from '../common/quick-fs.js';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { PeapodError } from '../common/errors.js';
import { isErrnoException } from '../common/errors.js';

/** Linux's own limit on symlinks followed in one lookup (ELOOP after that). */
const MAX_SYMLINKS = 40;

/** The host path inside `root` that `path` names from the container's point of view; undefined when absent. */
export async function resolveInRoot(root: string, path: string): Promise<string | undefined> {
  const pending = path.split('/').filter((c) => c !== '' && c !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift() as string;
    if (name === '..') {
      resolved.pop();
      continue;
    }
    const candidate = join(root, ...resolved, name);
    let info;
    try {
      info = await lstat(candidate);
    } catch (err) {
      if (isErrnoException(err, 'ENOENT') || isErrnoException(err, 'ENOTDIR')) return undefined;
      throw err;
    }
    if (!info.isSymbolicLink()) {
      resolved.push(name);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new PeapodError('InvalidArgument', `${path}: too many levels of symbolic links in the container's root`);
    const target = await readlink(candidate);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter((c) => c !== '' && c !== '.'));
  }
  return join(root, ...resolved);
}

/**
 * The text of a regular file in the container's root, at most maxBytes; undefined when it does not
 * exist. The last component is opened with O_NOFOLLOW, so nothing swapped in after the walk is followed.
 */
export async function readFileInRoot(root: string, path: string, maxBytes: number): Promise<string | undefined> {
  const hostPath = await resolveInRoot(root, path);
  if (hostPath === undefined) return undefined;
  let handle;
  try {
    handle = await open(hostPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if (isErrnoException(err, 'ENOENT') || isErrnoException(err, 'ELOOP')) return undefined;
    throw err;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return undefined;
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
