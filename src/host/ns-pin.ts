// Namespaces pinned in files: an empty file bind-mounted over a namespace by util-linux
// `unshare --<kind>=<file>` (Node cannot unshare itself). The pin keeps the namespace alive without any
// process in it. A pod's netns (network/netns.ts) and its IPC and UTS namespaces (namespace-pins.ts)
// are pinned and unpinned here.
import { mkdir, open } from 'node:fs/promises';
import { removeTree } from '../common/remove-tree.js';
import { dirname } from 'node:path';
import { isErrnoException } from '../common/errors.js';
import { statfs } from '../common/quick-fs.js';
import { run } from './exec.js';

const PIN_TIMEOUT_MS = 10_000;
/** statfs(2) f_type of the nsfs filesystem a namespace file lives on (linux/magic.h NSFS_MAGIC). */
const NSFS_MAGIC = 0x6e736673;

export type PinnedKind = 'net' | 'ipc' | 'uts';

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

/**
 * New namespaces of each kind, pinned at their paths, with `command` run inside them (`true`, or
 * `hostname -- <name>` to name a UTS namespace). On failure nothing is left: a command that fails after
 * unshare has bound the pins is undone too.
 */
export async function pinNamespaces(pins: readonly { readonly kind: PinnedKind; readonly path: string }[], command: readonly string[]): Promise<void> {
  for (const { path } of pins) {
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    await (await open(path, 'a', 0o444)).close();
  }
  try {
    await run('unshare', [...pins.map(({ kind, path }) => `--${kind}=${path}`), ...command], { timeoutMs: PIN_TIMEOUT_MS });
  } catch (err) {
    await unpinNamespaces(pins.map((p) => p.path));
    throw err;
  }
}

/** One umount(8) for the pins still mounted (lazy: a process may still be entering one), then the files; what is gone is no error. */
export async function unpinNamespaces(paths: readonly string[]): Promise<void> {
  const pinned = (await Promise.all(paths.map(async (p) => ((await isNamespacePin(p)) ? [p] : [])))).flat();
  if (pinned.length > 0) {
    try {
      await run('umount', ['-l', ...pinned], { timeoutMs: PIN_TIMEOUT_MS });
    } catch (err) {
      // Someone else may have unmounted one between the check and umount(8).
      for (const p of pinned) if (await isNamespacePin(p)) throw err;
    }
  }
  await Promise.all(paths.map((p) => removeTree(p)));
}
