// Namespaces pinned in files: an empty file bind-mounted over a namespace, by the daemon's spawner
// (unshare(2) on a thread of its own, then the binds: host/spawner-script.ts) or elsewhere by util-linux
// `unshare --<kind>=<file>` (Node cannot unshare itself). The pin keeps the namespace alive without any
// process in it. A pod's netns (network/netns.ts) and its IPC and UTS namespaces (namespace-pins.ts)
// are pinned and unpinned here.
import { mkdir, open } from 'node:fs/promises';
import { removeTree } from '../common/remove-tree.js';
import { dirname } from 'node:path';
import { currentSpawner, run } from './exec.js';
import { onFilesystemType, unmountAll } from './mount.js';

const PIN_TIMEOUT_MS = 10_000;
/** statfs(2) f_type of the nsfs filesystem a namespace file lives on (linux/magic.h NSFS_MAGIC). */
const NSFS_MAGIC = 0x6e736673;

export type PinnedKind = 'net' | 'ipc' | 'uts';

/**
 * Whether `path` still pins a namespace (an nsfs file is mounted on it). A pin whose unmount went
 * through but whose file was not removed yet (a daemon killed in between) is a plain file: CNI DEL must
 * not be pointed at it (the bridge plugin fails on it; with no netns it only releases the IP).
 */
export function isNamespacePin(path: string): Promise<boolean> {
  return onFilesystemType(path, NSFS_MAGIC);
}

/**
 * New namespaces of each kind, pinned at their paths; `hostname` names a new UTS namespace. On failure
 * nothing is left: a failure after some pins were bound undoes them too.
 */
export async function pinNamespaces(pins: readonly { readonly kind: PinnedKind; readonly path: string }[], hostname?: string): Promise<void> {
  for (const { path } of pins) {
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    await (await open(path, 'a', 0o444)).close();
  }
  try {
    const spawner = currentSpawner();
    if (spawner) await spawner.native({ op: 'pin', pins, ...(hostname === undefined ? {} : { hostname }) }, PIN_TIMEOUT_MS);
    else
      await run('unshare', [...pins.map(({ kind, path }) => `--${kind}=${path}`), ...(hostname === undefined ? ['true'] : ['hostname', '--', hostname])], {
        timeoutMs: PIN_TIMEOUT_MS,
      });
  } catch (err) {
    await unpinNamespaces(pins.map((p) => p.path));
    throw err;
  }
}

/** One unmount for the pins still mounted (lazy: a process may still be entering one), then the files; what is gone is no error. */
export async function unpinNamespaces(paths: readonly string[]): Promise<void> {
  await unmountAndRemove(paths.map((path) => ({ path, mounted: isNamespacePin })));
}

export interface MountedEntry {
  readonly path: string;
  readonly mounted: (path: string) => Promise<boolean>;
  /** How the path goes once unmounted; removeTree by default. */
  readonly remove?: (path: string) => Promise<void>;
}

/**
 * One lazy unmount (mount.ts unmountAll) for every path whose `mounted` says so, then each path removed
 * (by its `remove`, or as a file or a directory with what is in it); what is gone is no error. Lazy: a
 * process may still be entering a pin, or hold a file open on a pod's tmpfs.
 */
export async function unmountAndRemove(entries: readonly MountedEntry[]): Promise<void> {
  const flags = await Promise.all(entries.map(({ path, mounted }) => mounted(path)));
  const targets = entries.filter((_, i) => flags[i]);
  if (targets.length > 0) {
    try {
      await unmountAll(
        targets.map((t) => t.path),
        { lazy: true },
      );
    } catch (err) {
      // Someone else may have unmounted one between the check and the unmount.
      for (const t of targets) if (await t.mounted(t.path)) throw err;
    }
  }
  await Promise.all(entries.map((e) => (e.remove ?? removeTree)(e.path)));
}
