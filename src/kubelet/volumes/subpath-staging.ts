// subPath mounts handed to runc through a private staging bind, as the kubelet does (doBindSubPath):
// the subPath is opened safely (safe-open.ts), its descriptor is bind-mounted at
// <pod dir>/volume-subpaths/<container>/<mount index> in the daemon's root-only state, and runc binds that
// staging path, which no container can reach or redirect. The staging bind only has to live until runc
// has made its own copy in the container's mount namespace, so it is undone right after the container is
// created; binds a crash left behind are swept before the pod's next container and on teardown.
import { lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PeapodError, errorMessage, isErrnoException } from '../../common/errors.js';
import type { VolumeHostOps } from './host-ops.js';
import { openSubPath } from './safe-open.js';

export interface SubPathRequest {
  /** Index of the mount in the container's volumeMounts. */
  readonly index: number;
  readonly volumePath: string;
  readonly subPath: string;
  /** The field errors name, e.g. volumeMounts[2].subPathExpr. */
  readonly field: string;
}

export interface StagedSubPaths {
  /** Staging path by volumeMounts index: what runc is given as the mount's source. */
  readonly sources: ReadonlyMap<number, string>;
  /** Unmounts and removes the staging binds; idempotent. */
  undo(): Promise<void>;
}

/** Unmounting a staging path: one bind, a few if a crash stacked them. */
const MAX_STACKED_MOUNTS = 8;

export function subPathStagingRoot(podDir: string): string {
  return join(podDir, 'volume-subpaths');
}

/** Opens and stages every request of one container; on any failure the ones already staged are undone. */
export async function stageSubPaths(requests: readonly SubPathRequest[], stagingDir: string, ops: VolumeHostOps): Promise<StagedSubPaths> {
  const sources = new Map<number, string>();
  const staged: string[] = [];
  const undo = async (): Promise<void> => {
    for (const target of staged.splice(0).reverse()) await unstage(target, ops);
  };
  try {
    for (const request of requests) {
      const target = join(stagingDir, String(request.index));
      await unstage(target, ops);
      const opened = await openSubPath(request.volumePath, request.subPath, request.field);
      try {
        await mkdir(stagingDir, { recursive: true, mode: 0o700 });
        if (opened.isDirectory) await mkdir(target, { mode: 0o700 });
        else await writeFile(target, '', { flag: 'wx', mode: 0o600 });
        staged.push(target);
        await ops.bindExact(`/proc/${process.pid}/fd/${opened.handle.fd}`, target).catch((err: unknown) => {
          // mount(2) refuses a directory removed since it was opened (ENOENT): the container moved it.
          throw new PeapodError('FailedPrecondition', `${request.field}: ${JSON.stringify(request.subPath)}: cannot bind it: ${errorMessage(err)}`, {
            cause: err,
          });
        });
      } finally {
        await opened.handle.close();
      }
      // Never hand runc the bare staging path: without the bind it would be an empty directory of ours.
      if (!(await ops.isMountPoint(target)))
        throw new PeapodError('Internal', `${request.field}: the staging bind of ${JSON.stringify(request.subPath)} vanished`);
      sources.set(request.index, target);
    }
  } catch (err) {
    await undo().catch(() => undefined);
    throw err;
  }
  return { sources, undo };
}

/** Unmounts whatever is mounted at target, then removes it once nothing below it is mounted. */
async function unstage(target: string, ops: VolumeHostOps): Promise<void> {
  for (let i = 0; i < MAX_STACKED_MOUNTS && (await ops.isMountPoint(target)); i++) await ops.unmount(target);
  const info = await lstat(target).catch((err: unknown) => {
    if (isErrnoException(err, 'ENOENT')) return undefined;
    throw err;
  });
  if (!info) return;
  if ((await ops.mountsUnder(target)).length > 0) throw new PeapodError('Internal', `subPath staging ${target} is still mounted`);
  await rm(target, { recursive: true, force: true });
}

/** Sweeps a pod's staging binds (left by a crash between bind and undo), deepest first, then their directories. */
export async function cleanSubPathStaging(podDir: string, ops: VolumeHostOps): Promise<void> {
  const root = subPathStagingRoot(podDir);
  // Nothing can be mounted below a directory that is not there: no mount table read (it grows with every
  // pod's mounts, and this runs once per pod).
  const present = await lstat(root).then(
    () => true,
    (err: unknown) => {
      if (isErrnoException(err, 'ENOENT')) return false;
      throw err;
    },
  );
  if (!present) return;
  for (let round = 0; round < MAX_STACKED_MOUNTS; round++) {
    const mounts = await ops.mountsUnder(root);
    if (mounts.length === 0) break;
    for (const target of mounts.sort((a, b) => b.length - a.length)) await ops.unmount(target);
  }
  if ((await ops.mountsUnder(root)).length > 0) throw new PeapodError('Internal', `subPath staging under ${root} is still mounted`);
  await rm(root, { recursive: true, force: true });
}
