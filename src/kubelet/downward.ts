// Values of the downward API's fieldRef paths (the subset the API server accepts for env and volumes).
import type { Pod } from '../kube/types.js';
import { hostname } from 'node:os';

const LABEL = /^metadata\.labels\['(.+)'\]$/;
const ANNOTATION = /^metadata\.annotations\['(.+)'\]$/;

export function downwardField(pod: Pod, path: string, podIp: string | undefined): string | undefined {
  const labels = pod.metadata.labels ?? {};
  const annotations = pod.metadata.annotations ?? {};
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace ?? 'default';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n');
    case 'metadata.annotations':
      return Object.entries(annotations)
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n');
    case 'spec.nodeName':
      return pod.spec.nodeName ?? hostname();
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP':
    case 'status.podIPs':
      return podIp ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return '127.0.0.1';
  }
  const label = LABEL.exec(path);
  if (label) return labels[label[1] ?? ''] ?? '';
  const annotation = ANNOTATION.exec(path);
  if (annotation) return annotations[annotation[1] ?? ''] ?? '';
  return undefined;
}
