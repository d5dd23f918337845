// The host side of the local-path provisioner: one directory per persistent volume under a base only
// root may enter. Names are checked here (never a path from a manifest): the base is created and
// checked without following links, a volume directory is made with mkdir(2) (which never follows a
// link at its last component) and lstat'd, and a directory is removed only when nothing is mounted in it.
import { chmod, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PeapodError, isErrnoException } from '../common/errors.js';
import { listMounts } from './mount.js';

/** A volume directory's name: what the provisioner derives from a claim's UID, nothing else. */
const VOLUME_DIR_NAME = /^pvc-[0-9a-f][0-9a-f-]{7,63}$/;
/** The base: root only (the volumes' own directories are world-writable, as emptyDir's, for non-root containers). */
const BASE_MODE = 0o700;
/** As rancher's local-path-provisioner and the kubelet's emptyDir: any container user may write. */
const VOLUME_MODE = 0o777;

export interface LocalPathHost {
  /** Creates (or finds) the volume's directory; returns its path. */
  create(name: string): Promise<string>;
  /** Removes the volume's directory and everything in it; gone already is success. */
  remove(name: string): Promise<void>;
  /** The path a volume's directory has (whether or not it exists). */
  pathOf(name: string): string;
  /** The names of the volume directories present (for the leak checks and the provisioner's sweep). */
  list(): Promise<string[]>;
}

function checkName(name: string): void {
  if (!VOLUME_DIR_NAME.test(name)) throw new PeapodError('InvalidArgument', `local-path volume name ${JSON.stringify(name)} is not a provisioner-made name`);
}

/** mkdir, then lstat: the result must be a real directory owned by root, whatever was there before. */
async function ensureDirectory(path: string, mode: number): Promise<void> {
  await mkdir(path, { mode }).catch((err: unknown) => {
    if (!isErrnoException(err, 'EEXIST')) throw err;
  });
  const info = await lstat(path);
  if (!info.isDirectory() || info.isSymbolicLink() || info.uid !== 0)
    throw new PeapodError('FailedPrecondition', `${path} is not a root-owned directory: refusing to use it for local-path volumes`);
  // mkdir's mode is cut by the umask; chmod is not.
  if ((info.mode & 0o7777) !== mode) await chmod(path, mode);
}

export function localPathHost(base: string): LocalPathHost {
  const ensureBase = async (): Promise<void> => {
    await mkdir(join(base, '..'), { recursive: true, mode: BASE_MODE });
    await ensureDirectory(base, BASE_MODE);
  };
  return {
    pathOf: (name) => {
      checkName(name);
      return join(base, name);
    },
    async create(name) {
      checkName(name);
      await ensureBase();
      const path = join(base, name);
      await ensureDirectory(path, VOLUME_MODE);
      return path;
    },
    async remove(name) {
      checkName(name);
      const path = join(base, name);
      const info = await lstat(path).catch((err: unknown) => {
        if (isErrnoException(err, 'ENOENT')) return undefined;
        throw err;
      });
      if (!info) return;
      if (info.isDirectory()) {
        // rm would descend into a mount (a pod's bind of something else, say): refuse until it is gone.
        const mounts = await listMounts(path);
        if (mounts.length > 0) throw new PeapodError('FailedPrecondition', `${path} has ${mounts.length} mount(s) under it: not removing it yet`);
      }
      // rm -r never follows symbolic links: a link a container left points nowhere we delete.
      await rm(path, { recursive: true, force: true });
    },
    async list() {
      const names = await readdir(base).catch((err: unknown) => {
        if (isErrnoException(err, 'ENOENT')) return [];
        throw err;
      });
      return names.filter((n) => VOLUME_DIR_NAME.test(n));
    },
  };
}
