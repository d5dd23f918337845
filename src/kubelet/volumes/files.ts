// Writing key → file projections (configMap, secret, downwardAPI, projected) into a volume directory,
// with the item paths validated so no key or path can write outside the volume.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { PeapodError } from '../../common/errors.js';

export interface ProjectedFile {
  readonly path: string;
  readonly content: Uint8Array;
  readonly mode: number;
}

/** A relative path without `..` and not absolute, as the API server requires for items[].path. */
export function checkItemPath(path: string, field: string): string {
  const clean = normalize(path);
  if (path === '' || path.startsWith('/') || clean.startsWith('..') || clean.split('/').includes('..') || path.includes('\0')) {
    throw new PeapodError('InvalidArgument', `${field}: Invalid value: ${JSON.stringify(path)}: must be a relative path without '..'`);
  }
  return clean;
}

export async function writeProjectedFiles(dir: string, files: readonly ProjectedFile[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  for (const file of files) {
    const target = join(dir, checkItemPath(file.path, 'path'));
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await writeFile(target, file.content, { mode: file.mode });
    await chmod(target, file.mode);
  }
}
