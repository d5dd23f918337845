import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from './schema.js';
import { checkClaimUpdate, checkStatefulSetUpdate, validateClaimSpec, validateDaemonSetFields, validateStatefulSetFields } from './validate-stateful.js';

const findings = (f: (errors: Finding[]) => void): string[] => {
  const errors: Finding[] = [];
  f(errors);
  return errors.map((e) => `${e.path}: ${e.message}`);
};

const goodClaim = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };

test('claim spec: access modes, volume mode, storage request', () => {
  assert.deepEqual(
    findings((e) => validateClaimSpec(goodClaim, 'spec', e)),
    [],
  );
  assert.deepEqual(
    findings((e) => validateClaimSpec({ ...goodClaim, accessModes: [] }, 'spec', e)),
    ['spec.accessModes: Required value: at least 1 access mode is required'],
  );
  assert.match(
    findings((e) => validateClaimSpec({ ...goodClaim, accessModes: ['ReadWriteSometimes'] }, 'spec', e))[0] ?? '',
    /^spec.accessModes\[0\]: Unsupported value: "ReadWriteSometimes"/,
  );
  assert.match(
    findings((e) => validateClaimSpec({ ...goodClaim, accessModes: ['ReadWriteOncePod', 'ReadOnlyMany'] }, 'spec', e))[0] ?? '',
    /ReadWriteOncePod with other/,
  );
  assert.match(findings((e) => validateClaimSpec({ ...goodClaim, volumeMode: 'Raw' }, 'spec', e))[0] ?? '', /^spec.volumeMode: Unsupported value/);
  assert.deepEqual(
    findings((e) => validateClaimSpec({ accessModes: ['ReadWriteOnce'] }, 'spec', e)),
    ['spec.resources[storage]: Required value'],
  );
  assert.match(findings((e) => validateClaimSpec({ ...goodClaim, resources: { requests: { storage: 'lots' } } }, 'spec', e))[0] ?? '', /must be a quantity/);
});

test('claim update: resize refused with the reason, other spec changes immutable, binding fields ignored', () => {
  const before = { spec: { ...goodClaim, volumeName: 'pvc-1', storageClassName: 'local-path' } };
  assert.equal(checkClaimUpdate(before, { spec: goodClaim }), undefined);
  assert.match(checkClaimUpdate(before, { spec: { ...goodClaim, resources: { requests: { storage: '2Gi' } } } }) ?? '', /volume expansion is not supported/);
  assert.match(checkClaimUpdate(before, { spec: { ...goodClaim, accessModes: ['ReadWriteMany'] } }) ?? '', /^spec: Forbidden: spec is immutable/);
});

const sts = (spec: Record<string, unknown>, name = 'web') => ({
  metadata: { name },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } }, ...spec },
});

test('StatefulSet fields', () => {
  assert.deepEqual(
    findings((e) => validateStatefulSetFields(sts({ replicas: 3, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: goodClaim }] }), e)),
    [],
  );
  assert.match(findings((e) => validateStatefulSetFields(sts({}, 'web.example'), e))[0] ?? '', /^metadata.name: Invalid value/);
  assert.deepEqual(
    findings((e) => validateStatefulSetFields(sts({ replicas: -1 }), e)),
    ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
  );
  assert.match(findings((e) => validateStatefulSetFields(sts({ podManagementPolicy: 'Random' }), e))[0] ?? '', /^spec.podManagementPolicy: Unsupported value/);
  assert.match(
    findings((e) => validateStatefulSetFields(sts({ persistentVolumeClaimRetentionPolicy: { whenScaled: 'Keep' } }), e))[0] ?? '',
    /whenScaled: Unsupported value/,
  );
  assert.match(
    findings((e) =>
      validateStatefulSetFields(sts({ volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }] }), e),
    )[0] ?? '',
    /^spec.volumeClaimTemplates\[0\].spec.resources\[storage\]: Required value/,
  );
});

test('StatefulSet update: only the mutable fields may change', () => {
  assert.equal(checkStatefulSetUpdate(sts({ replicas: 1 }), sts({ replicas: 5, updateStrategy: { type: 'OnDelete' } })), undefined);
  assert.match(checkStatefulSetUpdate(sts({ serviceName: 'a' }), sts({ serviceName: 'b' })) ?? '', /^spec: Forbidden: updates to statefulset spec/);
  assert.match(checkStatefulSetUpdate(sts({ volumeClaimTemplates: [] }), sts({ volumeClaimTemplates: [{ metadata: { name: 'x' } }] })) ?? '', /Forbidden/);
});

test('DaemonSet fields: strategy and the both-zero rule', () => {
  assert.deepEqual(
    findings((e) => validateDaemonSetFields(sts({}), e)),
    [],
  );
  assert.match(
    findings((e) => validateDaemonSetFields(sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } } }), e))[0] ?? '',
    /may not be 0 when `maxSurge` is 0/,
  );
  assert.deepEqual(
    findings((e) => validateDaemonSetFields(sts({ updateStrategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } } }), e)),
    [],
  );
  assert.match(findings((e) => validateDaemonSetFields(sts({ updateStrategy: { rollingUpdate: { maxSurge: '120%' } } }), e))[0] ?? '', /percentage/);
});
