// The root filesystem every pause shares (<runRoot>/pause-rootfs): an empty directory holding only the
// mount points of the pause's spec, made once here so that runc, which makes a missing mount point in the
// rootfs it is given, never writes into a directory other pauses use (two pods starting at once, or a runc
// that makes mount points differently). The pause's root is read-only, so nothing else is ever written.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { access } from '../../common/quick-fs.js';
import { isErrnoException } from '../../common/errors.js';
import { SANDBOX_PAUSE_PATH } from '../../oci/spec.js';

/** The directories and files at the root that `destinations` need: /dev/pts needs dev, /catatonit a file. */
export function pauseRootEntries(destinations: readonly string[]): { readonly dirs: string[]; readonly files: string[] } {
  const tops = [...new Set(destinations.map((d) => d.split('/').filter(Boolean)[0]).filter((t): t is string => t !== undefined))];
  const file = SANDBOX_PAUSE_PATH.slice(1);
  return { dirs: tops.filter((t) => t !== file), files: tops.filter((t) => t === file) };
}

/** Makes what is missing of `rootfs` and its mount points; the pause binary's, made last, says it is all there. */
export async function ensurePauseRootfs(rootfs: string, destinations: readonly string[]): Promise<void> {
  const { dirs, files } = pauseRootEntries(destinations);
  const last = files[0] ?? dirs[0];
  if (
    last !== undefined &&
    (await access(join(rootfs, last)).then(
      () => true,
      () => false,
    ))
  )
    return;
  await Promise.all(dirs.map((d) => mkdir(join(rootfs, d), { recursive: true, mode: 0o755 })));
  await Promise.all(
    files.map((f) =>
      writeFile(join(rootfs, f), '', { mode: 0o644, flag: 'wx' }).catch((err: unknown) => {
        if (!isErrnoException(err, 'EEXIST')) throw err;
      }),
    ),
  );
}
