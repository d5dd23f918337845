// The pod a DaemonSet runs on this node (the controller's CreatePods with the template of the current
// revision): template labels plus controller-revision-hash and pod-template-generation, bound to the
// node by name, with the tolerations every daemon pod gets.
import type { DaemonSet, PodTemplateSpec, Toleration } from '../../kube/stateful-types.js';
import { REVISION_LABEL } from '../statefulset/identity.js';
import { DAEMON_TOLERATIONS } from './node-fit.js';

export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** generateName: the set's name cut so that `<prefix><5 random characters>` stays within 63. */
export const daemonPodPrefix = (ds: DaemonSet): string => `${ds.metadata.name.slice(0, 57)}-`;

/** The template a daemon pod is created from (PodClient.create names it from daemonPodPrefix and adds the owner). */
export function daemonPodTemplate(ds: DaemonSet, revisionHash: string, nodeName: string): PodTemplateSpec {
  const template = ds.spec.template;
  const own = (template.spec.tolerations ?? []).map((t) => t as Toleration);
  const sameToleration = (a: Toleration, b: Toleration): boolean => a.key === b.key && a.effect === b.effect;
  const tolerations = [...own, ...DAEMON_TOLERATIONS.filter((d) => !own.some((t) => sameToleration(t, d)))].map((t): Readonly<Record<string, unknown>> => ({
    ...t,
  }));
  const metadata = {
    labels: {
      ...template.metadata?.labels,
      [REVISION_LABEL]: revisionHash,
      ...(ds.metadata.generation !== undefined ? { [TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation) } : {}),
    },
    ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
  };
  return { metadata, spec: { ...template.spec, nodeName, tolerations } };
}
