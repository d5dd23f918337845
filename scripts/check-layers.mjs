// Enforces the layer rules of docs/architecture.md: imports in src/ point down only, static and dynamic
// (`import('…')`) alike. Each layer lists exactly the layers it imports (besides itself): an allowed edge
// no code uses is reported too, so the table stays a true picture of the tree.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const allowed = {
  common: [],
  store: ['common'],
  host: ['common'],
  oci: ['common'],
  image: ['common', 'store', 'host'],
  kube: ['common'],
  runtime: ['common', 'store', 'host', 'oci', 'image'],
  kubelet: ['common', 'store', 'host', 'runtime', 'image', 'kube', 'oci'],
  // The controller manager inside the daemon (Deployments, Services, ...): over the pod manager, below the fronts.
  // host: the local-path provisioner's directories (host/local-path.ts).
  controllers: ['common', 'store', 'host', 'kube', 'kubelet'],
  api: ['common', 'host', 'kube', 'image', 'runtime', 'kubelet', 'controllers'],
  cri: ['common', 'host', 'image', 'runtime', 'oci'],
  // The Kubernetes API front: the pod manager's store and validation, the controllers' objects, the CRI streaming sessions for exec/port-forward.
  kubeapi: ['common', 'kube', 'runtime', 'kubelet', 'controllers', 'cri'],
  dashboard: ['common', 'host', 'kube', 'runtime', 'kubelet', 'api'],
  daemon: ['common', 'host', 'image', 'runtime', 'kubelet', 'controllers', 'api', 'cri', 'oci', 'kubeapi', 'dashboard'],
  cli: ['common', 'host', 'kube', 'image', 'api', 'daemon', 'kubeapi'],
};

const root = resolve(dirname(new URL(import.meta.url).pathname), '..', 'src');
const problems = [];
const used = new Set();
// Static `import … from '…'`, `export … from '…'` and dynamic `import('…')` of a relative module.
const IMPORT = /(?:from\s+|import\s*\(\s*)'(\.[^']+)'/g;

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) check(full);
  }
}

function check(file) {
  const layer = relative(root, file).split('/')[0];
  const rules = allowed[layer];
  if (!rules) {
    problems.push(`${relative(root, file)}: unknown layer "${layer}"`);
    return;
  }
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(IMPORT)) {
    const target = relative(root, resolve(dirname(file), m[1])).split('/')[0];
    if (target === layer) continue;
    used.add(`${layer}->${target}`);
    if (!rules.includes(target)) problems.push(`${relative(root, file)}: ${layer}/ may not import ${target}/ (${m[1]})`);
  }
}

walk(root);
for (const [layer, targets] of Object.entries(allowed))
  for (const target of targets)
    if (!used.has(`${layer}->${target}`)) problems.push(`scripts/check-layers.mjs: ${layer}/ may import ${target}/ but no code does: drop the edge`);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
