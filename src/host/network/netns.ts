// Pinned network namespaces: an empty file under <runRoot>/netns bind-mounted over /proc/<pid>/ns/net
// by util-linux `unshare --net=<file>` (Node cannot unshare itself). The pin keeps the namespace alive
// without any process, so CNI DEL can still run after the pause process died.
// `ip netns` also makes /run/netns a private bind mount of itself; util-linux unshare already refuses
// a shared parent mount with a clear message, and a pin copied into a container's mount namespace is
// detached by runc's pivot_root, so peapod leaves the directory as is (nothing extra to undo).
import { mkdir, open, rm } from 'node:fs/promises';
import { statfs } from '../../common/quick-fs.js';
import { join } from 'node:path';
import { isErrnoException } from '../../common/errors.js';
import { run } from '../exec.js';
import { unmount } from '../mount.js';

const NETNS_TIMEOUT_MS = 10_000;
/** statfs(2) f_type of the nsfs filesystem a namespace file lives on (linux/magic.h NSFS_MAGIC). */
const NSFS_MAGIC = 0x6e736673;

/**
 * Whether `path` still pins a namespace (an nsfs file is mounted on it). A pin whose unmount went
 * through but whose file was not removed yet (a daemon killed in between) is a plain file: CNI DEL must
 * not be pointed at it (the bridge plugin fails on it; with no netns it only releases the IP).
 */
export async function isNamespacePin(path: string): Promise<boolean> {
  try {
    return (await statfs(path)).type === NSFS_MAGIC;
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) return false;
    throw err;
  }
}

export async function createPinnedNetns(dir: string, id: string): Promise<string> {
  const path = join(dir, id);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if (await isNamespacePin(path)) return path;
  const handle = await open(path, 'a', 0o444);
  await handle.close();
  try {
    await run('unshare', [`--net=${path}`, 'true'], { timeoutMs: NETNS_TIMEOUT_MS });
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
  return path;
}

export async function removePinnedNetns(dir: string, id: string): Promise<void> {
  const path = join(dir, id);
  await unmount(path, { lazy: true });
  try {
    await rm(path, { force: true });
  } catch (err) {
    if (!isErrnoException(err, 'ENOENT')) throw err;
  }
}
