// The pod a Job creates from its template (the Job controller's manageJob): generateName `<job>-` or, for Indexed
// Jobs, `<job>-<index>-`, with the index as annotation, label, hostname and the JOB_COMPLETION_INDEX variable.
import type { Container, EnvVar, Pod } from '../../kube/types.js';
import type { Job } from '../../kube/batch.js';
import { JOB_COMPLETION_INDEX, JOB_COMPLETION_INDEX_ENV } from '../../kube/batch.js';

/** names.SimpleNameGenerator: five characters from an alphabet without vowels or look-alikes, after a prefix of at
 * most 63 − 5 characters. */
const RANDOM_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const RANDOM_LENGTH = 5;
const MAX_PREFIX = 63 - RANDOM_LENGTH;

export function generateName(prefix: string, random: () => number = Math.random): string {
  let suffix = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) suffix += RANDOM_ALPHABET[Math.floor(random() * RANDOM_ALPHABET.length)] ?? 'x';
  return `${prefix.slice(0, MAX_PREFIX)}${suffix}`;
}

const INDEX_ENV: EnvVar = {
  name: JOB_COMPLETION_INDEX_ENV,
  valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } },
};

/** addCompletionIndexEnvVariables: every container and init container gets the variable unless it sets it. */
const withIndexEnv = (c: Container): Container => (c.env?.some((e) => e.name === JOB_COMPLETION_INDEX_ENV) ? c : { ...c, env: [...(c.env ?? []), INDEX_ENV] });

/** The pod to create for a Job, `index` for Indexed Jobs. `random` picks the name suffix. */
export function podForJob(job: Job, index: number | undefined, random?: () => number): Pod {
  const template = job.spec.template;
  const indexed = index !== undefined;
  const prefix = indexed ? `${job.metadata.name}-${index}-` : `${job.metadata.name}-`;
  const indexMark = indexed ? { [JOB_COMPLETION_INDEX]: String(index) } : {};
  const labels = { ...template.metadata?.labels, ...indexMark };
  const annotations = { ...template.metadata?.annotations, ...indexMark };
  const spec = template.spec;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: generateName(prefix, random),
      ...(job.metadata.namespace !== undefined ? { namespace: job.metadata.namespace } : {}),
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: indexed
      ? {
          ...spec,
          hostname: `${job.metadata.name}-${index}`,
          containers: spec.containers.map(withIndexEnv),
          ...(spec.initContainers ? { initContainers: spec.initContainers.map(withIndexEnv) } : {}),
        }
      : spec,
  };
}
