// The pod a Job creates from its template (the Job controller's manageJob): generateName `<job>-` or, for Indexed
// Jobs, `<job>-<index>-`, with the index as annotation, label, hostname and the JOB_COMPLETION_INDEX variable.
import type { PodTemplateSpec } from '../../kube/kinds/apps.js';
import type { Container, EnvVar } from '../../kube/types.js';
import type { Job } from '../../kube/batch.js';
import { JOB_COMPLETION_INDEX, JOB_COMPLETION_INDEX_ENV } from '../../kube/batch.js';

/** names.SimpleNameGenerator keeps the prefix to 63 − 5 characters. */
const MAX_PREFIX = 63 - 5;

const INDEX_ENV: EnvVar = {
  name: JOB_COMPLETION_INDEX_ENV,
  valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } },
};

/** addCompletionIndexEnvVariables: every container and init container gets the variable unless it sets it. */
const withIndexEnv = (c: Container): Container => (c.env?.some((e) => e.name === JOB_COMPLETION_INDEX_ENV) ? c : { ...c, env: [...(c.env ?? []), INDEX_ENV] });

/** The template and name prefix of a Job's next pod; `index` for Indexed Jobs. */
export function jobPodTemplate(job: Job, index: number | undefined): { generateName: string; template: PodTemplateSpec } {
  const template = job.spec.template;
  const prefix = index === undefined ? `${job.metadata.name}-` : `${job.metadata.name}-${index}-`;
  if (index === undefined) return { generateName: prefix.slice(0, MAX_PREFIX), template };
  const mark = { [JOB_COMPLETION_INDEX]: String(index) };
  const spec = template.spec;
  return {
    generateName: prefix.slice(0, MAX_PREFIX),
    template: {
      metadata: { ...template.metadata, labels: { ...template.metadata?.labels, ...mark }, annotations: { ...template.metadata?.annotations, ...mark } },
      spec: {
        ...spec,
        hostname: `${job.metadata.name}-${index}`,
        containers: spec.containers.map(withIndexEnv),
        ...(spec.initContainers ? { initContainers: spec.initContainers.map(withIndexEnv) } : {}),
      },
    },
  };
}
