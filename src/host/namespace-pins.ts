// A pod's IPC and UTS namespaces pinned in files under <runRoot>/ipcns and <runRoot>/utsns (ns-pin.ts),
// as its netns is (network/netns.ts), by one `unshare --ipc=<file> --uts=<file>` that runs `hostname`
// inside to name the pod. Pinned, the namespaces exist before the pause container: the pod's containers
// are created beside the pause rather than after it, and join the files, not /proc/<pause>/ns (CRI-O's
// pinns does the same). The hostname is set here because the pause no longer creates the UTS namespace.
// A pod's IPC is also its POSIX shared memory: with the IPC pin comes the pod's /dev/shm, a tmpfs under
// <runRoot>/shm that every container of the pod (and the pause) binds, so shm_open(3) in one container
// finds what another made, as the Kubernetes docs promise and containerd's sandbox /dev/shm provides.
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrnoException } from '../common/errors.js';
import { settleAll } from '../common/concurrency.js';
import { mountTmpfs, onFilesystemType, onOwnDevice } from './mount.js';
import { isNamespacePin, pinNamespaces, unmountAndRemove, type PinnedKind } from './ns-pin.js';

/** containerd's defaultShmSize (and Docker's): 64 MiB. */
export const POD_SHM_BYTES = 64 * 1024 * 1024;
/** statfs(2) f_type of tmpfs (linux/magic.h TMPFS_MAGIC). */
const TMPFS_MAGIC = 0x01021994;

export interface PinRequest {
  readonly ipc: boolean;
  /** The pod's hostname, for a pinned UTS namespace; none = the host's UTS namespace. */
  readonly hostname?: string | undefined;
}

export interface PinnedNamespaces {
  readonly ipcPath?: string;
  readonly utsPath?: string;
  /** The pod's /dev/shm (a tmpfs), made with the IPC pin. */
  readonly shmPath?: string;
}

export interface NamespacePins {
  /** Pins what the request asks for; nothing asked = nothing done. */
  create(sandboxId: string, request: PinRequest): Promise<PinnedNamespaces>;
  /** Unpins and removes both files and the pod's /dev/shm; removing what is gone succeeds. */
  remove(sandboxId: string): Promise<void>;
  /** Where the pins of a sandbox are (whether they exist or not). */
  paths(sandboxId: string): Required<PinnedNamespaces>;
}

/**
 * A tmpfs mounted at `path`: tmpfs, and a device of its own (runRoot itself is a tmpfs on most hosts,
 * so the filesystem type alone would take the bare directory for the mount).
 */
async function isShmMount(path: string): Promise<boolean> {
  return (await onFilesystemType(path, TMPFS_MAGIC)) && onOwnDevice(path);
}

async function removeEmptyDir(path: string): Promise<void> {
  await rmdir(path).catch((err: unknown) => {
    if (!isErrnoException(err, 'ENOENT')) throw err;
  });
}

/** The pod's /dev/shm: mode 1777 at its root, data only, 64 MiB (containerd's sandbox shm). */
async function mountPodShm(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  if (!(await isShmMount(path))) await mountTmpfs(path, { sizeBytes: POD_SHM_BYTES, mode: 0o1777, dataOnly: true, source: 'shm' });
}

/** `dirs`: where the pins and the pods' /dev/shm go (common/config.ts paths: ipcns, utsns, shm). */
export function createNamespacePins(dirs: { readonly ipc: string; readonly uts: string; readonly shm: string }): NamespacePins {
  const paths = (id: string): Required<PinnedNamespaces> => ({ ipcPath: join(dirs.ipc, id), utsPath: join(dirs.uts, id), shmPath: join(dirs.shm, id) });
  const remove = (id: string): Promise<void> => {
    const { ipcPath, utsPath, shmPath } = paths(id);
    return unmountAndRemove([
      { path: ipcPath, mounted: isNamespacePin },
      { path: utsPath, mounted: isNamespacePin },
      // rmdir, never a walk: the tmpfs is the containers' to write, and once unmounted the directory
      // under it is empty (nothing is made there before the mount); one still mounted is refused (EBUSY).
      { path: shmPath, mounted: isShmMount, remove: removeEmptyDir },
    ]);
  };
  return {
    paths,
    remove,
    async create(id, request) {
      const { ipcPath, utsPath, shmPath } = paths(id);
      const pins: { kind: PinnedKind; path: string }[] = [];
      if (request.ipc) pins.push({ kind: 'ipc', path: ipcPath });
      if (request.hostname !== undefined) pins.push({ kind: 'uts', path: utsPath });
      if (pins.length === 0) return {};
      // Side by side, both settled before a failure is handled: the undo then races nothing.
      try {
        await settleAll([pinNamespaces(pins, request.hostname), request.ipc ? mountPodShm(shmPath) : Promise.resolve()]);
      } catch (err) {
        await remove(id);
        throw err;
      }
      return {
        ...(request.ipc ? { ipcPath, shmPath } : {}),
        ...(request.hostname !== undefined ? { utsPath } : {}),
      };
    },
  };
}
