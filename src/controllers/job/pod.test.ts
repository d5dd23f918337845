import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job } from '../../kube/batch.js';
import { generateName, podForJob } from './pod.js';

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

test('Indexed pods: <job>-<index>-<random5>, index annotation, label, hostname and JOB_COMPLETION_INDEX', () => {
  const pod = podForJob(job, 2, () => 0);
  assert.equal(pod.metadata.name, 'work-2-bbbbb');
  assert.equal(pod.metadata.namespace, 'ns');
  assert.equal(pod.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], '2');
  assert.equal(pod.metadata.labels?.['batch.kubernetes.io/job-completion-index'], '2');
  assert.equal(pod.metadata.labels?.['batch.kubernetes.io/job-name'], 'work');
  assert.equal(pod.spec.hostname, 'work-2');
  const env = pod.spec.containers[0]?.env ?? [];
  assert.deepEqual(env[1], {
    name: 'JOB_COMPLETION_INDEX',
    valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
  });
  assert.equal(pod.spec.initContainers?.[0]?.env?.[0]?.name, 'JOB_COMPLETION_INDEX');
});

test('NonIndexed pods: <job>-<random5>, the template as it is', () => {
  const pod = podForJob({ ...job, spec: { ...job.spec, completionMode: 'NonIndexed' } }, undefined);
  assert.match(pod.metadata.name, /^work-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(pod.spec.hostname, undefined);
  assert.equal(pod.spec.containers[0]?.env?.length, 1);
  assert.equal(generateName('x'.repeat(70), () => 0.99).length, 63);
});
