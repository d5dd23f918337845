// Enforces the layer rules of docs/architecture.md: imports in src/ point down only.
// Each layer lists the layers it may import (besides itself).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const allowed = {
  common: [],
  store: ['common'],
  host: ['common', 'store'],
  oci: ['common'],
  image: ['common', 'store', 'host'],
  kube: ['common'],
  runtime: ['common', 'store', 'host', 'oci', 'image', 'kube'],
  kubelet: ['common', 'store', 'host', 'runtime', 'image', 'kube', 'oci'],
  api: ['common', 'store', 'host', 'kube', 'image', 'runtime', 'kubelet'],
  cri: ['common', 'store', 'host', 'kube', 'image', 'runtime', 'kubelet', 'oci'],
  // The Kubernetes API front: the pod manager's store and validation, the CRI streaming sessions for exec/port-forward.
  kubeapi: ['common', 'store', 'host', 'kube', 'image', 'runtime', 'kubelet', 'cri', 'oci'],
  dashboard: ['common', 'store', 'host', 'kube', 'image', 'runtime', 'kubelet', 'api'],
  daemon: ['common', 'store', 'host', 'kube', 'image', 'runtime', 'kubelet', 'api', 'cri', 'oci', 'kubeapi', 'dashboard'],
  cli: ['common', 'store', 'host', 'kube', 'image', 'api', 'daemon', 'kubeapi'],
};

const root = resolve(dirname(new URL(import.meta.url).pathname), '..', 'src');
const problems = [];
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
  if (!rules) { problems.push(`${relative(root, file)}: unknown layer "${layer}"`); return; }
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/from\s+'(\.[^']+)'/g)) {
    const target = relative(root, resolve(dirname(file), m[1])).split('/')[0];
    if (target !== layer && !rules.includes(target)) problems.push(`${relative(root, file)}: ${layer}/ may not import ${target}/ (${m[1]})`);
  }
}
walk(root);
if (problems.length) { console.error(problems.join('\n')); process.exit(1); }
