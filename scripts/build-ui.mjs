// `npm run build`'s second half: the dashboard's page (src/dashboard/ui) and the two libraries it loads
// (xterm.js, uPlot) copied next to the compiled server, so the daemon serves them offline.
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..');
const out = join(repo, 'dist', 'src', 'dashboard', 'ui');
mkdirSync(join(out, 'vendor'), { recursive: true });
cpSync(join(repo, 'src', 'dashboard', 'ui'), out, { recursive: true });
const vendor = {
  'xterm.mjs': '@xterm/xterm/lib/xterm.mjs',
  'xterm.css': '@xterm/xterm/css/xterm.css',
  'uPlot.esm.js': 'uplot/dist/uPlot.esm.js',
  'uPlot.min.css': 'uplot/dist/uPlot.min.css',
};
for (const [name, from] of Object.entries(vendor)) cpSync(join(repo, 'node_modules', from), join(out, 'vendor', name));
