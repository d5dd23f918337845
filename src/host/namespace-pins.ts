// A pod's IPC and UTS namespaces pinned in files under <runRoot>/ipcns and <runRoot>/utsns (ns-pin.ts),
// as its netns is (network/netns.ts), by one `unshare --ipc=<file> --uts=<file>` that runs `hostname`
// inside to name the pod. Pinned, the
// namespaces exist before the pause container: the pod's containers are created beside the pause
// rather than after it, and join the files, not /proc/<pause>/ns (CRI-O's pinns does the same).
// The hostname is set here because the pause no longer creates the UTS namespace.
import { join } from 'node:path';
import { pinNamespaces, unpinNamespaces, type PinnedKind } from './ns-pin.js';

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
  return {
    paths,
    remove: (id) => unpinNamespaces(Object.values(paths(id))),
    async create(id, request) {
      const { ipcPath, utsPath } = paths(id);
      const pins: { kind: PinnedKind; path: string }[] = [];
      if (request.ipc) pins.push({ kind: 'ipc', path: ipcPath });
      if (request.hostname !== undefined) pins.push({ kind: 'uts', path: utsPath });
      if (pins.length === 0) return {};
      await pinNamespaces(pins, request.hostname === undefined ? ['true'] : ['hostname', '--', request.hostname]);
      return {
        ...(request.ipc ? { ipcPath } : {}),
        ...(request.hostname !== undefined ? { utsPath } : {}),
      };
    },
  };
}
