import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffPodUpdate } from './update.js';
import type { Pod } from './types.js';

const base: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { a: '1' } },
  spec: { containers: [{ name: 'c', image: 'busybox:1', command: ['sleep', '1'] }] },
};

test('images, activeDeadlineSeconds and labels may change in place', () => {
  assert.equal(diffPodUpdate(base, { ...base, spec: { containers: [{ name: 'c', image: 'busybox:2', command: ['sleep', '1'] }] } }), undefined);
  assert.equal(diffPodUpdate(base, { ...base, spec: { ...base.spec, activeDeadlineSeconds: 10 } }), undefined);
  assert.equal(diffPodUpdate(base, { ...base, metadata: { name: 'p', labels: { a: '2' } } }), undefined);
});

test('other changes are refused naming the fields, like the API server', () => {
  const message = diffPodUpdate(base, { ...base, spec: { containers: [{ name: 'c', image: 'busybox:1', command: ['sleep', '2'] }] } });
  assert.match(message ?? '', /^spec: Forbidden: pod updates may not change fields other than/);
  assert.match(message ?? '', /spec\.containers\[0\]\.command/);
  const added = diffPodUpdate(base, { ...base, spec: { containers: [...base.spec.containers, { name: 'd', image: 'x' }] } });
  assert.match(added ?? '', /spec\.containers/);
});
