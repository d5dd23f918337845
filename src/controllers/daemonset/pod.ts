// The pod a DaemonSet runs on this node (the controller's CreatePods with the template of the current
// revision): template labels plus controller-revision-hash and pod-template-generation, bound to the
// node by name, owned by the set, with the tolerations every daemon pod gets.
import type { Pod } from '../../kube/types.js';
import type { DaemonSet, Toleration } from '../../kube/stateful-types.js';
import { ownerReferenceTo, REVISION_LABEL } from '../statefulset/identity.js';
import { DAEMON_TOLERATIONS } from './node-fit.js';

export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** generateName's suffix: 5 characters of the API server's safe alphabet. */
export function daemonPodName(ds: DaemonSet, random: () => number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet[Math.floor(random() * alphabet.length) % alphabet.length];
  // generateName keeps the name within 63 characters.
  return `${ds.metadata.name.slice(0, 57)}-${suffix}`;
}

export function daemonPod(ds: DaemonSet, name: string, revisionHash: string, nodeName: string): Pod {
  const template = ds.spec.template;
  const own = (template.spec.tolerations ?? []).map((t) => t as Toleration);
  const sameToleration = (a: Toleration, b: Toleration): boolean => a.key === b.key && a.effect === b.effect;
  const tolerations = [...own, ...DAEMON_TOLERATIONS.filter((d) => !own.some((t) => sameToleration(t, d)))].map((t): Readonly<Record<string, unknown>> => ({
    ...t,
  }));
  const metadata = {
    name,
    namespace: ds.metadata.namespace ?? 'default',
    labels: {
      ...template.metadata?.labels,
      [REVISION_LABEL]: revisionHash,
      ...(ds.metadata.generation !== undefined ? { [TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation) } : {}),
    },
    ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
    ownerReferences: [ownerReferenceTo(ds)],
  };
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: { ...template.spec, nodeName, tolerations } };
}
