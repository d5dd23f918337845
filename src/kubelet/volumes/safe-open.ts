// Opening a subPath inside a volume the way the kubelet does (pkg/volume/util/subpath/subpath_linux.go
// doSafeMakeDir / doSafeOpen), against a container that plants symlinks in a shared volume and swaps
// them while we look. Symlinks already in the volume are resolved once and must stay inside it; then the
// path is walked again from the volume's root one component at a time, each opened relative to its
// parent's descriptor with O_NOFOLLOW, missing directories created relative to that descriptor, and a
// symlink met on this walk (one swapped in since) refuses the mount. What comes back is a descriptor,
// so nothing the container does later can redirect it.
//
// Node has no openat(2)/mkdirat(2): `/proc/self/fd/<parent>/<name>` stands in for them. The kernel
// resolves the magic link to the very directory the descriptor holds and looks `name` up in it, so the
// lookup is relative to the descriptor, not to a path a container can change; O_NOFOLLOW applies to
// `name`, and mkdir(2) never follows a final symlink.
import { constants } from 'node:fs';
import { chmod, mkdir, open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { PeapodError, errorMessage, isErrnoException } from '../../common/errors.js';
import { isUnder } from '../../host/mount.js';

/** O_PATH (Linux, asm-generic and x86 alike): a handle on the inode that opens nothing, so a FIFO cannot block us. */
const O_PATH = 0o10000000;
const WALK_FLAGS = O_PATH | constants.O_NOFOLLOW;

export interface OpenedSubPath {
  /** An O_PATH descriptor of the subPath's final component; the caller closes it. */
  readonly handle: FileHandle;
  readonly isDirectory: boolean;
}

/**
 * Opens `subPath` (already checked relative, without `..`) below `volumePath`, creating missing
 * directories with the volume root's mode. `field` names the mount in errors (volumeMounts[i].subPath).
 */
export async function openSubPath(volumePath: string, subPath: string, field: string): Promise<OpenedSubPath> {
  const base = await realpath(volumePath);
  const outside = (): PeapodError => new PeapodError('InvalidArgument', `${field}: ${JSON.stringify(subPath)} resolves outside its volume`);
  const parts = subPath.split('/').filter((p) => p !== '' && p !== '.');
  const { resolved, missing } = await resolveExistingPrefix(base, parts);
  if (!isUnder(resolved, base)) throw outside();
  const components = [
    ...relative(base, resolved)
      .split('/')
      .filter((p) => p !== ''),
    ...missing,
  ];
  const dirMode = (await stat(base)).mode & 0o7777;
  let current = await open(base, WALK_FLAGS | constants.O_DIRECTORY);
  try {
    for (const [i, name] of components.entries()) {
      const last = i === components.length - 1;
      // A component that vanishes (or turns into something else) while it is opened fails naming the mount.
      const next = await openChild(current, name, dirMode).catch((err: unknown) => {
        throw new PeapodError('FailedPrecondition', `${field}: ${JSON.stringify(subPath)}: cannot open ${JSON.stringify(name)}: ${errorMessage(err)}`, {
          cause: err,
        });
      });
      const info = await next.stat();
      if (info.isSymbolicLink() || (!last && !info.isDirectory())) {
        await next.close();
        throw new PeapodError(
          'InvalidArgument',
          `${field}: ${JSON.stringify(subPath)}: ${JSON.stringify(name)} ${info.isSymbolicLink() ? 'is a symlink (dangling, or swapped in while it was opened)' : 'is not a directory'}`,
        );
      }
      await current.close();
      current = next;
    }
    // The descriptor must still name a place inside the volume (a directory renamed out of it would not).
    if (!isUnder(await readlink(`/proc/self/fd/${current.fd}`), base)) throw outside();
    return { handle: current, isDirectory: (await current.stat()).isDirectory() };
  } catch (err) {
    await current.close().catch(() => undefined);
    throw err;
  }
}

/** The longest existing prefix of base/parts with its symlinks resolved (the kubelet's findExistingPrefix + EvalSymlinks), and the rest. */
async function resolveExistingPrefix(base: string, parts: readonly string[]): Promise<{ resolved: string; missing: string[] }> {
  for (let n = parts.length; n > 0; n--) {
    try {
      return { resolved: await realpath(join(base, ...parts.slice(0, n))), missing: parts.slice(n) };
    } catch (err) {
      if (!isErrnoException(err, 'ENOENT')) throw err;
    }
  }
  return { resolved: base, missing: [...parts] };
}

/** openat(parent, name, O_PATH|O_NOFOLLOW), creating `name` as a directory first when it is missing (mkdirat). */
async function openChild(parent: FileHandle, name: string, dirMode: number): Promise<FileHandle> {
  const path = `/proc/self/fd/${parent.fd}/${name}`;
  try {
    return await open(path, WALK_FLAGS);
  } catch (err) {
    if (!isErrnoException(err, 'ENOENT')) throw err;
  }
  const created = await mkdir(path, { mode: dirMode }).then(
    () => true,
    (err: unknown) => {
      if (isErrnoException(err, 'EEXIST')) return false;
      throw err;
    },
  );
  const child = await open(path, WALK_FLAGS);
  // mkdir's mode was cut by the umask; chmod through the descriptor's magic link reaches this very inode.
  if (created && (await child.stat()).isDirectory()) await chmod(`/proc/self/fd/${child.fd}`, dirMode);
  return child;
}
