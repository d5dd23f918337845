import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sandboxConfig, type ConvertContext } from './convert.js';
import type { Pod } from '../kube/types.js';

const ctx: ConvertContext = {
  cgroupRoot: '/peapod',
  logRoot: '/var/log/pods',
  oomScoreAdjFloor: -1000,
  memoryCapacityBytes: 1 << 30,
  seccompRoot: '/var/lib/peapod/seccomp',
};

const pod = (spec: Partial<Pod['spec']>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', uid: 'u1' },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});

test("the sandbox's seccomp is the kubelet's: RuntimeDefault whatever the pod names, none when a container is privileged", () => {
  assert.deepEqual(sandboxConfig(pod({}), 0, ctx).seccomp, { kind: 'runtime-default' });
  // A pod-level profile is the app's (kubernetes#84623): the pause keeps RuntimeDefault.
  const localhost = pod({ securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'tight.json' } } });
  assert.deepEqual(sandboxConfig(localhost, 0, ctx).seccomp, { kind: 'runtime-default' });
  const unconfined = pod({ securityContext: { seccompProfile: { type: 'Unconfined' } } });
  assert.deepEqual(sandboxConfig(unconfined, 0, ctx).seccomp, { kind: 'runtime-default' });
  const privilegedInit = pod({ initContainers: [{ name: 'i', image: 'busybox', securityContext: { privileged: true } }] });
  assert.deepEqual(sandboxConfig(privilegedInit, 0, ctx).seccomp, { kind: 'unconfined' });
});
