// Which changes to an existing pod the API server allows in place (pkg/apis/core/validation
// ValidatePodUpdate): container and init container images, activeDeadlineSeconds, added tolerations,
// and metadata labels/annotations. Everything else needs the pod deleted and re-created.
import type { Pod } from './types.js';

const ALLOWED =
  '`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)';

function changedPaths(a: unknown, b: unknown, path: string, out: string[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, i) => changedPaths(item, b[i], `${path}[${i}]`, out));
    return;
  }
  if (isObj(a) && isObj(b) && !Array.isArray(a) && !Array.isArray(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) changedPaths(a[key], b[key], path ? `${path}.${key}` : key, out);
    return;
  }
  out.push(path);
}

function allowed(path: string): boolean {
  return /^spec\.(containers|initContainers)\[\d+\]\.image$/.test(path) || path === 'spec.activeDeadlineSeconds' || path.startsWith('spec.tolerations');
}

/** undefined when `updated` may replace `existing` in place; otherwise the API server's message. */
export function diffPodUpdate(existing: Pod, updated: Pod): string | undefined {
  const paths: string[] = [];
  changedPaths(existing.spec, updated.spec, 'spec', paths);
  const forbidden = paths.filter((p) => !allowed(p));
  if (forbidden.length === 0) return undefined;
  return `spec: Forbidden: pod updates may not change fields other than ${ALLOWED} (changed: ${forbidden.join(', ')})`;
}
