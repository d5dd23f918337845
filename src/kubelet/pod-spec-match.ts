// How an applied pod or a changed ConfigMap/Secret relates to a stored pod.
import type { Pod } from '../kube/types.js';
import type { ObjectKind } from './objects.js';

/** Fields the API server sets, ignored when comparing an applied pod with the stored one. */
export function stripVolatile(pod: Pod): unknown {
  const { uid: _uid, creationTimestamp: _ts, ...metadata } = pod.metadata;
  return { ...pod, metadata, status: undefined };
}

/** Whether a configMap, secret or projected volume of the pod reads this object. */
export function volumesUse(pod: Pod, kind: ObjectKind, name: string): boolean {
  return (pod.spec.volumes ?? []).some((v) => {
    const sources = [{ configMap: v.configMap, secret: v.secret ? { name: v.secret.secretName } : undefined }, ...(v.projected?.sources ?? [])];
    return sources.some((s) => (kind === 'ConfigMap' ? s.configMap?.name === name : s.secret?.name === name));
  });
}
