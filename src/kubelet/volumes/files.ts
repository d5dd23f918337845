// Key → file projections (configMap, secret, downwardAPI, projected), with the item paths validated so
// no key or path can write outside the volume; atomic-writer.ts puts them on disk.
import { normalize } from 'node:path';
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
