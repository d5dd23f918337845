import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cgroupParentFrom, sandboxConfigFrom } from './sandbox_run.js';
import { Fields } from './fields.js';
import type { CriContext, CriSettings } from './context.js';
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

test("the sandbox's seccomp is applied as sent (containerd): RuntimeDefault, Localhost, none, and none when privileged", () => {
  const settings: CriSettings = {
    cgroupRoot: '/peapod',
    logRoot: '/var/log/pods',
    imageFsDirs: [],
    cniBinDir: '/usr/lib/cni',
    podSubnet: '10.88.0.0/16',
    oomScoreAdjFloor: -1000,
    runtimeVersion: 'test',
    streamingAddress: '127.0.0.1:0',
  };
  const ctx = { settings } as Pick<CriContext, 'settings'> as CriContext;
  const seccompOf = (security: Record<string, unknown> | undefined): unknown =>
    sandboxConfigFrom(Fields.of({ metadata: { name: 'p', namespace: 'n', uid: 'u' }, linux: { security_context: security } }, 'config'), ctx).seccomp;
  assert.deepEqual(seccompOf({ seccomp: { profile_type: 'RuntimeDefault' } }), { kind: 'runtime-default' });
  assert.deepEqual(seccompOf({ seccomp: { profile_type: 'Localhost', localhost_ref: '/etc/p.json' } }), { kind: 'localhost', path: '/etc/p.json' });
  assert.deepEqual(seccompOf({ seccomp_profile_path: 'runtime/default' }), { kind: 'runtime-default' });
  assert.deepEqual(seccompOf(undefined), { kind: 'unconfined' });
  assert.deepEqual(seccompOf({ privileged: true, seccomp: { profile_type: 'RuntimeDefault' } }), { kind: 'unconfined' });
});
