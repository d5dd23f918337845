import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObject } from '../validate.js';
import { defaultManifestObject } from '../manifest-object.js';
import { kindInfo } from './index.js';

const deployment = (spec: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    ...spec,
  },
});

const messages = (value: unknown): string[] => validateObject(value).errors.map((e) => `${e.path}: ${e.message}`);

test('a Deployment is checked as the API server checks it, its pod template with the Pod rules under spec.template', () => {
  assert.deepEqual(messages(deployment({})), []);
  assert.match(messages(deployment({ replicas: -1 })).join('\n'), /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
  assert.match(
    messages(deployment({ selector: { matchLabels: { app: 'other' } } })).join('\n'),
    /spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/,
  );
  assert.match(
    messages(deployment({ template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } } })).join('\n'),
    /spec\.template\.spec\.containers: Required value/,
  );
  assert.match(messages(deployment({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } })).join('\n'), /spec\.strategy\.rollingUpdate: Forbidden/);
  assert.match(
    messages(deployment({ strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } })).join('\n'),
    /maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0/,
  );
  assert.match(messages(deployment({ strategy: { rollingUpdate: { maxUnavailable: '120%' } } })).join('\n'), /must not be greater than 100%/);
  assert.match(messages({ ...deployment({}), apiVersion: 'v1' }).join('\n'), /apiVersion: Unsupported value: "v1": supported values: "apps\/v1"/);
});

test('Deployment defaults: replicas 1, RollingUpdate 25%/25%, history 10, deadline 600, pod template defaults', () => {
  const info = kindInfo('Deployment');
  assert.ok(info);
  const d = info.defaults(defaultManifestObject(deployment({}) as never) as never) as { spec: Record<string, unknown> };
  assert.equal(d.spec['replicas'], 1);
  assert.deepEqual(d.spec['strategy'], { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec['revisionHistoryLimit'], 10);
  assert.equal(d.spec['progressDeadlineSeconds'], 600);
  const template = d.spec['template'] as { spec: { restartPolicy: string; containers: { imagePullPolicy: string }[] } };
  assert.equal(template.spec.restartPolicy, 'Always');
  assert.equal(template.spec.containers[0]?.imagePullPolicy, 'Always');
});
