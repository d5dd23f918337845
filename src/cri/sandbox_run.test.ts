import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cgroupParentFrom } from './sandbox_run.js';
import { sandboxName, containerName } from './names.js';

test('the kubelet cgroup parent is placed under the cgroup root', () => {
  assert.equal(cgroupParentFrom('/kubepods/burstable/podabc', '/peapod', 'abc'), '/peapod/kubepods/burstable/podabc');
  assert.equal(cgroupParentFrom('kubepods/podabc/', '/peapod/', 'abc'), '/peapod/kubepods/podabc');
  assert.equal(cgroupParentFrom('/peapod/kubepods/podabc', '/peapod', 'abc'), '/peapod/kubepods/podabc');
  assert.equal(cgroupParentFrom('', '/peapod', 'u1'), '/peapod/kubepods/besteffort/podu1');
  assert.match(cgroupParentFrom('', '/peapod', ''), /^\/peapod\/kubepods\/besteffort\/pod[0-9a-f-]{36}$/);
  assert.throws(() => cgroupParentFrom('kubepods-burstable.slice', '/peapod', 'u'), /systemd slice/);
  assert.throws(() => cgroupParentFrom('/', '/peapod', 'u'), /must be a cgroup path/);
});

test('names are built as the kubelet builds them', () => {
  assert.equal(sandboxName({ name: 'web', namespace: 'default', uid: 'u1', attempt: 2 }), 'web_default_u1_2');
  assert.equal(containerName('sb1', { name: 'app', attempt: 0 }), 'sb1/app_0');
});
