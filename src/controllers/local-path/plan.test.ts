import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec } from '../../kube/stateful-types.js';
import { boundClaim, planProvisioner, volumeFor, volumeNameFor, type ProvisionerAction } from './plan.js';

const UID = '0f4f7a52-1d2e-4c3b-9a8b-7c6d5e4f3a2b';
const NOW = new Date('2026-12-07T08:00:00.000Z');

function claim(spec: Partial<PersistentVolumeClaimSpec> = {}, uid = UID, annotations?: Record<string, string>): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'default', uid, ...(annotations ? { annotations } : {}) },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
  };
}

const brief = (actions: readonly ProvisionerAction[]): string[] =>
  actions.map((a) => {
    switch (a.kind) {
      case 'provision':
      case 'bind':
        return `${a.kind} ${a.claim.metadata.name} → ${a.volume.metadata.name}`;
      case 'pending':
        return `pending ${a.reason}: ${a.message}`;
      case 'lost':
        return `lost ${a.claim.metadata.name}`;
      case 'release':
        return `release ${a.volume.metadata.name}`;
      case 'reclaim':
        return `reclaim ${a.directory}`;
      case 'unprotectClaim':
        return `unprotect claim ${a.claim.metadata.name}`;
      case 'unprotectVolume':
        return `unprotect volume ${a.volume.metadata.name}`;
    }
  });

const plan = (claims: PersistentVolumeClaim[], volumes: PersistentVolume[] = [], inUse = false): string[] =>
  brief(planProvisioner({ claims, volumes, claimInUse: () => inUse, now: NOW }));

test('a claim of the default class is provisioned as pvc-<uid>', () => {
  assert.deepEqual(plan([claim()]), [`provision data → pvc-${UID}`]);
  assert.deepEqual(plan([claim({ storageClassName: 'local-path' })]), [`provision data → pvc-${UID}`]);
});

test('the volume echoes capacity and access modes, reclaim Delete by default, Retain on request', () => {
  const volume = volumeFor(claim(), volumeNameFor(UID), NOW);
  assert.deepEqual(volume.spec.capacity, { storage: '1Gi' });
  assert.deepEqual(volume.spec.accessModes, ['ReadWriteOnce']);
  assert.equal(volume.spec.persistentVolumeReclaimPolicy, 'Delete');
  assert.deepEqual(volume.spec.claimRef, { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: UID });
  const retained = volumeFor(claim({}, UID, { 'peapod.io/reclaim-policy': 'Retain' }), volumeNameFor(UID), NOW);
  assert.equal(retained.spec.persistentVolumeReclaimPolicy, 'Retain');
  const bound = boundClaim(claim(), volume);
  assert.equal(bound.spec.volumeName, `pvc-${UID}`);
  assert.deepEqual(bound.status, { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } });
});

test('a UID that is not a UUID is hashed, never used as a path', () => {
  assert.match(volumeNameFor('../../etc'), /^pvc-[0-9a-f]{32}$/);
  assert.equal(volumeNameFor(UID), `pvc-${UID}`);
});

test('other classes, no class, Block and selectors stay Pending with a reason', () => {
  assert.deepEqual(plan([claim({ storageClassName: 'fast' })]), [
    'pending ProvisioningFailed: storageclass.storage.k8s.io "fast" not found (this host has one class: local-path)',
  ]);
  assert.match(plan([claim({ storageClassName: '' })])[0] ?? '', /^pending FailedBinding/);
  assert.match(plan([claim({ volumeMode: 'Block' })])[0] ?? '', /Filesystem only/);
  assert.match(plan([claim({ selector: { matchLabels: { a: 'b' } } })])[0] ?? '', /selector/);
});

test('a PV written before a crash is bound, not provisioned again', () => {
  const volume = volumeFor(claim(), volumeNameFor(UID), NOW);
  assert.deepEqual(plan([claim()], [volume]), [`bind data → pvc-${UID}`]);
});

test('a bound claim: nothing to do; its PV gone: Lost', () => {
  const volume = volumeFor(claim(), volumeNameFor(UID), NOW);
  const bound = boundClaim(claim(), volume);
  assert.deepEqual(plan([bound], [volume]), []);
  assert.deepEqual(plan([bound], []), ['lost data']);
});

test('claim gone: Delete reclaims, Retain releases, a pod still using it holds both', () => {
  const volume = volumeFor(claim(), volumeNameFor(UID), NOW);
  assert.deepEqual(plan([], [volume]), [`reclaim pvc-${UID}`]);
  assert.deepEqual(plan([], [volume], true), []);
  const retained: PersistentVolume = { ...volume, spec: { ...volume.spec, persistentVolumeReclaimPolicy: 'Retain' } };
  assert.deepEqual(plan([], [retained]), [`release pvc-${UID}`]);
  assert.deepEqual(plan([], [{ ...retained, status: { phase: 'Released' } }]), []);
});

test('a claim re-created with the same name is a new claim (new UID): the old volume is still reclaimed', () => {
  const volume = volumeFor(claim(), volumeNameFor(UID), NOW);
  const other = '11111111-2222-3333-4444-555555555555';
  assert.deepEqual(plan([claim({}, other)], [volume]).sort(), [`provision data → pvc-${other}`, `reclaim pvc-${UID}`].sort());
});

test('protection: a claim being deleted waits for its pods; a volume being deleted waits for its claim', () => {
  const volume = volumeFor(claim(), volumeNameFor(UID), NOW);
  const bound = boundClaim(claim(), volume);
  assert.deepEqual(bound.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  assert.deepEqual(volume.metadata.finalizers, ['kubernetes.io/pv-protection']);
  const deleting = { ...bound, metadata: { ...bound.metadata, deletionTimestamp: '2026-12-07T08:00:00Z' } };
  assert.deepEqual(plan([deleting], [volume], true), []);
  assert.deepEqual(plan([deleting], [volume], false), ['unprotect claim data']);
  const volumeDeleting = { ...volume, metadata: { ...volume.metadata, deletionTimestamp: '2026-12-07T08:00:00Z' } };
  assert.deepEqual(plan([bound], [volumeDeleting]), []);
  assert.deepEqual(plan([], [volumeDeleting]), [`unprotect volume pvc-${UID}`]);
});

test('a PV that is not ours is never reclaimed', () => {
  const foreign: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'manual' },
    spec: { hostPath: { path: '/srv' }, claimRef: { namespace: 'default', name: 'x', uid: 'gone' } },
  };
  assert.deepEqual(plan([], [foreign]), []);
});
