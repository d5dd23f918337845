import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job } from '../../kube/batch.js';
import { jobPodTemplate } from './pod.js';

const job: Job = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'work', namespace: 'ns', uid: 'u1' },
  spec: {
    completionMode: 'Indexed',
    completions: 3,
    template: {
      metadata: { labels: { 'batch.kubernetes.io/job-name': 'work' } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', env: [{ name: 'A', value: '1' }] }], initContainers: [{ name: 'i' }] },
    },
  },
};

test('Indexed pods: <job>-<index>- prefix, index annotation, label, hostname and JOB_COMPLETION_INDEX', () => {
  const { generateName, template } = jobPodTemplate(job, 2);
  assert.equal(generateName, 'work-2-');
  assert.equal(template.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'], '2');
  assert.equal(template.metadata?.labels?.['batch.kubernetes.io/job-completion-index'], '2');
  assert.equal(template.metadata?.labels?.['batch.kubernetes.io/job-name'], 'work');
  assert.equal(template.spec.hostname, 'work-2');
  const env = template.spec.containers[0]?.env ?? [];
  assert.deepEqual(env[1], {
    name: 'JOB_COMPLETION_INDEX',
    valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
  });
  assert.equal(template.spec.initContainers?.[0]?.env?.[0]?.name, 'JOB_COMPLETION_INDEX');
});

test('NonIndexed pods: <job>- prefix (at most 58 characters), the template as it is', () => {
  const { generateName, template } = jobPodTemplate({ ...job, spec: { ...job.spec, completionMode: 'NonIndexed' } }, undefined);
  assert.equal(generateName, 'work-');
  assert.equal(template, job.spec.template);
  const long = jobPodTemplate({ ...job, metadata: { name: 'x'.repeat(63) } }, undefined);
  assert.equal(long.generateName.length, 58);
});
