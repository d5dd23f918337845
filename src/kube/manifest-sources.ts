// Reading manifest texts the way kubectl takes them: a file, a directory of *.yaml|*.yml|*.json (sorted),
// or stdin ('-'). Only the file system here: parsing is load.ts's, so the CLI can read cheaply and let the
// daemon, whose modules are already loaded, parse.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PeapodError } from '../common/errors.js';

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const MANIFEST_FILE = /\.(ya?ml|json)$/;

export interface ManifestSource {
  /** The name errors carry: a path, or '-' for stdin. */
  readonly file: string;
  readonly text: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_MANIFEST_BYTES) throw new PeapodError('InvalidArgument', `-: manifest larger than ${MAX_MANIFEST_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readManifestSources(source: string): Promise<ManifestSource[]> {
  if (source === '-') return [{ file: '-', text: await readStdin() }];
  const info = await stat(source).catch(() => undefined);
  if (!info) throw new PeapodError('InvalidArgument', `the path "${source}" does not exist`);
  const files = info.isDirectory()
    ? (await readdir(source))
        .filter((f) => MANIFEST_FILE.test(f))
        .sort()
        .map((f) => join(source, f))
    : [source];
  const out: ManifestSource[] = [];
  for (const file of files) {
    const size = (await stat(file)).size;
    if (size > MAX_MANIFEST_BYTES) throw new PeapodError('InvalidArgument', `${file}: manifest larger than ${MAX_MANIFEST_BYTES} bytes`);
    out.push({ file, text: await readFile(file, 'utf8') });
  }
  if (out.length === 0) throw new PeapodError('InvalidArgument', `error: no objects passed to apply (no *.yaml, *.yml or *.json in ${source})`);
  return out;
}
