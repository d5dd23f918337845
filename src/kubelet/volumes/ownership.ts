// fsGroup volume ownership (pkg/volume/volume_linux.go SetVolumeOwnership): every file and directory
// of the volume gets the fsGroup as group, group read (and write unless read-only), and directories the
// setgid bit so new files inherit the group.
import { chmod, lchown, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const GROUP_RW = 0o060;
const GROUP_R = 0o040;
const DIR_EXTRA = 0o2070;

export async function setVolumeOwnership(dir: string, fsGroup: number, readOnly: boolean): Promise<void> {
  const stack = [dir];
  for (let budget = 100_000; stack.length > 0 && budget > 0; budget--) {
    const path = stack.pop() ?? dir;
    const info = await lstat(path);
    if (info.isSymbolicLink()) continue;
    await lchown(path, info.uid, fsGroup);
    if (info.isDirectory()) {
      await chmod(path, (info.mode & 0o7777) | (readOnly ? DIR_EXTRA & ~0o020 : DIR_EXTRA));
      for (const name of await readdir(path)) stack.push(join(path, name));
    } else {
      await chmod(path, (info.mode & 0o7777) | (readOnly ? GROUP_R : GROUP_RW));
    }
  }
}
