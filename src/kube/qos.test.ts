import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podQosClass } from './qos.js';
import type { Container, Pod } from './types.js';

const pod = (containers: Container[], initContainers: Container[] = []): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { containers, initContainers },
});
const c = (requests?: Record<string, string>, limits?: Record<string, string>): Container => ({
  name: 'c',
  image: 'busybox',
  resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) },
});

test('QoS classes as pkg/apis/core/v1/helper/qos computes them', () => {
  assert.equal(podQosClass(pod([c()])), 'BestEffort');
  assert.equal(podQosClass(pod([c(undefined, { cpu: '1', memory: '1Gi' })])), 'Guaranteed', 'requests default to limits');
  assert.equal(podQosClass(pod([c({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })])), 'Guaranteed');
  assert.equal(podQosClass(pod([c({ cpu: '500m' }, { cpu: '1', memory: '1Gi' })])), 'Burstable', 'request below limit');
  assert.equal(podQosClass(pod([c(undefined, { cpu: '1' })])), 'Burstable', 'memory limit missing');
  assert.equal(podQosClass(pod([c(undefined, { cpu: '1', memory: '1Gi' }), c()])), 'Burstable', 'one container without limits');
  assert.equal(podQosClass(pod([c(undefined, { cpu: '1', memory: '1Gi' })], [c()])), 'Burstable', 'init containers count');
  assert.equal(podQosClass(pod([c({ 'ephemeral-storage': '1Gi' })])), 'BestEffort', 'only cpu and memory count');
});
