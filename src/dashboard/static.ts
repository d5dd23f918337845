// The page and its assets, from the directory `npm run build` fills (dist/src/dashboard/ui): only the
// files listed there, by exact name, so no request path ever reaches the filesystem.
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { ServerResponse } from 'node:http';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export class StaticAssets {
  private files = new Map<string, Buffer>();

  constructor(private readonly dir: string) {}

  /** Loads every asset once: the set is small (tens of kB plus the vendored libraries). */
  async load(): Promise<void> {
    const files = new Map<string, Buffer>();
    const walk = async (sub: string): Promise<void> => {
      for (const entry of await readdir(join(this.dir, sub), { withFileTypes: true })) {
        const rel = sub === '' ? entry.name : `${sub}/${entry.name}`;
        if (entry.isDirectory()) await walk(rel);
        else if (TYPES[extname(entry.name)] !== undefined) files.set(`/${rel}`, await readFile(join(this.dir, rel)));
      }
    };
    await walk('');
    this.files = files;
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  serve(path: string, res: ServerResponse): boolean {
    const body = this.files.get(path);
    if (body === undefined) return false;
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'content-length': body.length });
    res.end(body);
    return true;
  }
}
