import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOrder, resourceWord } from './apply.js';
import type { ManifestObject } from '../kube/manifest-object.js';

const of = (kind: string): ManifestObject => ({ apiVersion: 'v1', kind, metadata: { name: kind.toLowerCase() } });

test('a directory is applied in dependency order whatever the files say, and named as kubectl names it', () => {
  const kinds = ['Pod', 'Deployment', 'Service', 'PersistentVolumeClaim', 'ConfigMap', 'CronJob', 'PersistentVolume', 'StatefulSet'];
  const sorted = kinds.map(of).sort((a, b) => applyOrder(a) - applyOrder(b));
  assert.deepEqual(
    sorted.map((o) => o.kind),
    ['ConfigMap', 'PersistentVolume', 'PersistentVolumeClaim', 'Service', 'Deployment', 'StatefulSet', 'CronJob', 'Pod'],
  );
  assert.deepEqual(['Deployment', 'Service', 'CronJob', 'EndpointSlice'].map(resourceWord), [
    'deployment.apps',
    'service',
    'cronjob.batch',
    'endpointslice.discovery.k8s.io',
  ]);
});
