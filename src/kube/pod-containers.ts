// Every container a pod names, in the kubelet's order (podutil.VisitContainers): init containers, the
// app containers, then the ephemeral ones.
import type { Container, PodSpec } from './types.js';

export function podContainers(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...spec.containers, ...(spec.ephemeralContainers ?? [])];
}
