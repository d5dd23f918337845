// A pod's IPC and UTS namespaces pinned in files, as its netns is (network/netns.ts): an empty file
// under <runRoot>/ipcns and <runRoot>/utsns bind-mounted over the namespace by util-linux
// `unshare --ipc=<file> --uts=<file>`, which runs `hostname` inside to name the pod. Pinned, the
// namespaces exist before the pause container: the pod's containers are created beside the pause
// rather than after it, and join the files, not /proc/<pause>/ns (CRI-O's pinns does the same).
// The hostname is set here because the pause no longer creates the UTS namespace.
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './exec.js';
import { isNamespacePin } from './network/netns.js';

const PIN_TIMEOUT_MS = 10_000;

export interface PinRequest {
  readonly ipc: boolean;
  /** The pod's hostname, for a pinned UTS namespace; none = the host's UTS namespace. */
  readonly hostname?: string | undefined;
}

export interface PinnedNamespaces {
  readonly ipcPath?: string;
  readonly utsPath?: string;
}

export interface NamespacePins {
  /** Pins what the request asks for; nothing asked = nothing done. */
  create(sandboxId: string, request: PinRequest): Promise<PinnedNamespaces>;
  /** Unpins and removes both files; removing what is gone succeeds. */
  remove(sandboxId: string): Promise<void>;
  /** Where the pins of a sandbox are (whether they exist or not). */
  paths(sandboxId: string): Required<PinnedNamespaces>;
}

/** `dirs`: where the pins go (common/config.ts paths: ipcns, utsns). */
export function createNamespacePins(dirs: { readonly ipc: string; readonly uts: string }): NamespacePins {
  const paths = (id: string): Required<PinnedNamespaces> => ({ ipcPath: join(dirs.ipc, id), utsPath: join(dirs.uts, id) });
  // One umount(8) for both pins (lazy: a process may still be entering them), then the files.
  const remove = async (id: string): Promise<void> => {
    const files = Object.values(paths(id));
    const pinned = (await Promise.all(files.map(async (f) => ((await isNamespacePin(f)) ? [f] : [])))).flat();
    if (pinned.length > 0) {
      try {
        await run('umount', ['-l', ...pinned], { timeoutMs: PIN_TIMEOUT_MS });
      } catch (err) {
        // Someone else may have unmounted one between the check and umount(8).
        for (const f of pinned) if (await isNamespacePin(f)) throw err;
      }
    }
    await Promise.all(files.map((f) => rm(f, { force: true })));
  };
  return {
    paths,
    remove,
    async create(id, request) {
      const { ipcPath, utsPath } = paths(id);
      const pins: [string, string][] = [];
      if (request.ipc) pins.push(['ipc', ipcPath]);
      if (request.hostname !== undefined) pins.push(['uts', utsPath]);
      if (pins.length === 0) return {};
      for (const [kind, path] of pins) {
        await mkdir(dirs[kind as 'ipc' | 'uts'], { recursive: true, mode: 0o755 });
        await (await open(path, 'a', 0o444)).close();
      }
      const command = request.hostname === undefined ? ['true'] : ['hostname', '--', request.hostname];
      try {
        await run('unshare', [...pins.map(([kind, path]) => `--${kind}=${path}`), ...command], { timeoutMs: PIN_TIMEOUT_MS });
      } catch (err) {
        await remove(id);
        throw err;
      }
      return {
        ...(request.ipc ? { ipcPath } : {}),
        ...(request.hostname !== undefined ? { utsPath } : {}),
      };
    },
  };
}
