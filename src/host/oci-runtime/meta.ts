// What we remember about a container next to conmon's own files (<stateDir>/<id>/peapod.json), so that
// a restarted daemon can still tell its monitor from a reused PID and knows how to kill it.
import { constants } from 'node:fs';
import { rename, utimes, writeFile } from 'node:fs/promises';
import { access, readFile, stat } from '../../common/quick-fs.js';
import { join } from 'node:path';
import { PeapodError, isErrnoException } from '../../common/errors.js';
import { which } from '../which.js';

export const META_FILE = 'peapod.json';

export interface ContainerMeta {
  readonly bundle: string;
  /** The container does not own its PID namespace (host's or the pod's): kill every process in its cgroup. */
  readonly killAll: boolean;
  readonly pid: number;
  readonly pidStartTime?: number;
  /** 0 when `unmonitored`. */
  readonly conmonPid: number;
  readonly conmonStartTime?: number;
  /** Started by `run` with no conmon (a pause process): no exit file will ever come; /proc tells its exit. */
  readonly unmonitored?: boolean;
  /** Set when the meta is written at the start (`run`); after `start`, the file's mtime says it (markStarted). */
  readonly startedAt?: string;
}

export async function writeMeta(persistDir: string, meta: ContainerMeta): Promise<void> {
  const file = join(persistDir, META_FILE);
  // tmp + rename: a crash leaves the old record or the new one, never half of one. No fsync: the
  // run root is volatile state that does not outlive a reboot anyway.
  await writeFile(`${file}.tmp`, JSON.stringify(meta));
  await rename(`${file}.tmp`, file);
}

/**
 * Notes that the container was started, at `at`: the meta file's mtime, set in place. Rewriting the meta
 * (a new file renamed over the old) would make and free an inode per container start for one timestamp.
 * A meta gone already (the container removed meanwhile) is no error.
 */
export async function markStarted(persistDir: string, at: Date): Promise<void> {
  await utimes(join(persistDir, META_FILE), at, at).catch((err: unknown) => {
    if (!isErrnoException(err, 'ENOENT')) throw err;
  });
}

/** When the container was started: the meta's own field (`run`), else the file's mtime (markStarted; before it, its creation). */
export async function startedAtOf(persistDir: string, meta: ContainerMeta): Promise<string | undefined> {
  if (meta.startedAt !== undefined) return meta.startedAt;
  try {
    return (await stat(join(persistDir, META_FILE))).mtime.toISOString();
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) return undefined; // removed since it was read
    throw err;
  }
}

export async function readMeta(persistDir: string): Promise<ContainerMeta | undefined> {
  try {
    return JSON.parse(await readFile(join(persistDir, META_FILE), 'utf8')) as ContainerMeta;
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) return undefined;
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** True when config.json gives the container no PID namespace of its own (none, or one joined by path). */
export function sharesPidNamespace(config: unknown): boolean {
  const namespaces = (config as { linux?: { namespaces?: { type?: string; path?: string }[] } } | null)?.linux?.namespaces;
  if (!Array.isArray(namespaces)) return true;
  const pidNs = namespaces.find((n) => n.type === 'pid');
  return pidNs === undefined || (typeof pidNs.path === 'string' && pidNs.path !== '');
}

export async function readBundleSharesPid(bundle: string): Promise<boolean> {
  try {
    return sharesPidNamespace(JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')));
  } catch (err) {
    throw new PeapodError('InvalidArgument', `bundle ${bundle} has no readable config.json`, { cause: err });
  }
}

/**
 * conmon execv()s the runtime without searching PATH, so it needs an absolute path. A path is checked
 * too: conmon given a missing one exits before it reads its start pipe, with a vaguer message.
 */
export async function resolveExecutable(name: string, pathEnv = process.env.PATH ?? ''): Promise<string> {
  const found = await which(name, pathEnv);
  if (found === undefined)
    throw new PeapodError('FailedPrecondition', `${name}: not found in PATH (${pathEnv})`, { hint: 'run scripts/setup.sh to install it' });
  if (found === name) {
    try {
      await access(name, constants.X_OK);
    } catch (err) {
      const why = isErrnoException(err, 'ENOENT') ? 'no such file' : `not executable (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
      throw new PeapodError('FailedPrecondition', `${name}: ${why}`, {
        hint: 'install it (scripts/setup.sh) or point the setting at an executable',
        cause: err,
      });
    }
  }
  return found;
}
