// `npm run build`, after tsc: bundles the CLI (dist/src/cli/main.js and everything it loads, npm
// dependencies included) into dist/src/cli/peapod.js, with the verbs' lazily loaded modules as chunks
// beside it. One file read and compiled instead of ~40 modules resolved one by one: a CLI command starts
// faster (bench/results: "CLI overhead"). The output sits in dist/src/cli/ itself because modules find
// files relative to their own URL (package.json, ./main.js). The daemon is never bundled: the daemon
// verb loads dist/src/cli/run-daemon.js, and the daemon graph behind it, as plain modules.
import { build } from 'esbuild';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(repo, 'dist/src/cli');
const entry = join(outdir, 'main.js');
const metaFile = join(outdir, 'bundle-outputs.json');
const notBundled = join(outdir, 'run-daemon.js');

// The previous build's outputs go first: a chunk's name carries its content hash.
try {
  for (const file of JSON.parse(await readFile(metaFile, 'utf8'))) await rm(join(outdir, basename(file)), { force: true });
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}

/** Keeps run-daemon.js (and so the daemon) out of the bundle, imported from dist/ at run time. */
const daemonOutside = {
  name: 'daemon-outside',
  setup(b) {
    b.onResolve({ filter: /run-daemon\.js$/ }, (args) => {
      const target = join(dirname(args.importer), args.path);
      if (target !== notBundled) return undefined;
      return { path: `./${relative(outdir, target)}`, external: true };
    });
  },
};

const result = await build({
  entryPoints: { peapod: entry },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'peapod-[name]-[hash]',
  // CommonJS dependencies (commander) call require() for Node's modules.
  banner: { js: "import { createRequire as __peapodCreateRequire } from 'node:module'; const require = __peapodCreateRequire(import.meta.url);" },
  plugins: [daemonOutside],
  metafile: true,
  logLevel: 'warning',
});
await writeFile(metaFile, `${JSON.stringify(Object.keys(result.metafile.outputs).map((f) => basename(f)))}\n`);
