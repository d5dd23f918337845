// Finding a program on PATH, once for every caller that needs an absolute path (conmon execv()s the
// runtime without a PATH search; the pause binary is bind-mounted by path; zstd is optional).
import { constants } from 'node:fs';
import { access } from '../common/quick-fs.js';
import { delimiter, join } from 'node:path';

/** The absolute path of an executable `name` (returned as is when it has a slash), or undefined. */
export async function which(name: string, pathEnv: string = process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin'): Promise<string | undefined> {
  if (name.includes('/')) return name;
  for (const dir of pathEnv.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
