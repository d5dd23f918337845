// Containers created beside their sandbox's pause (container/prepare.ts prepareBeside, container/create.ts
// canCreateBeside), on the fake host: with their whole request they are runc-created while the sandbox is
// made, joining its pinned namespaces; the create with an equal request takes them, another request
// replaces them, and a sandbox that fails removes them before its own undo (their processes sit in its cgroup).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeImage } from './testing/fake-host.js';
import { containerRequest } from './testing/container-request.js';
import { fakeRuntime, sandboxConfig } from './testing/fake-runtime.js';

const busybox = fakeImage('busybox', { cmd: ['sh'] });
const request = (name: string, extra: Parameters<typeof containerRequest>[1] = {}) => containerRequest(name, { image: busybox.id, command: ['sh'], ...extra });

test('a container with its request is created beside the pause and taken by the create with an equal request', async (t) => {
  const { host, dirs, runtime } = await fakeRuntime(t, 'beside-');
  const sandbox = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes), [{ name: 'a', attempt: 0, image: busybox, request: request('a') }]);
  assert.equal(sandbox.state, 'ready');
  assert.ok(sandbox.ipcPath !== undefined && sandbox.utsPath !== undefined && sandbox.netnsPath !== undefined, 'the namespaces are pinned');
  const [made] = runtime.containersOf(sandbox.id);
  assert.equal(made?.state, 'created');
  assert.equal(runtime.createdBeside(made?.id ?? ''), true, 'not an orphan for the kubelet');
  // Created after the pins and once the pause was asked for, not after the pause.
  const ops = host.calls.map((c) => `${c.op} ${String(c.args[0])}`);
  const at = (entry: string): number => ops.indexOf(entry);
  assert.ok(at(`pins.create ${sandbox.id}`) < at(`oci.run ${sandbox.id}`), ops.join('\n'));
  assert.ok(at(`oci.run ${sandbox.id}`) < at(`oci.create ${made?.id ?? ''}`), ops.join('\n'));

  const a = await runtime.createContainer(sandbox.id, request('a'), busybox);
  assert.equal(a.id, made?.id);
  assert.equal(host.calls.filter((c) => c.op === 'oci.create').length, 1, 'no second runc create');
  assert.equal(runtime.createdBeside(a.id), false);
  await runtime.startContainer(a.id);
  await runtime.removePodSandbox(sandbox.id);
  assert.equal(host.mounted.size + host.containers.size + host.netns.size, 0);
});

test('a create with another request (a ConfigMap changed meanwhile) replaces the container made beside the pause', async (t) => {
  const { host, dirs, runtime } = await fakeRuntime(t, 'beside-');
  const sandbox = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes), [{ name: 'a', attempt: 0, image: busybox, request: request('a') }]);
  const [made] = runtime.containersOf(sandbox.id);
  const changed = request('a', { envs: [{ key: 'COLOR', value: 'green' }] });
  const a = await runtime.createContainer(sandbox.id, changed, busybox);
  assert.notEqual(a.id, made?.id);
  assert.deepEqual(
    runtime.containersOf(sandbox.id).map((c) => c.id),
    [a.id],
  );
  assert.ok(a.config.env.includes('COLOR=green'));
  assert.ok(
    host.calls.some((c) => c.op === 'oci.remove' && c.args[0] === made?.id),
    'the stale one is removed',
  );
  await runtime.removePodSandbox(sandbox.id);
  assert.equal(host.mounted.size + host.containers.size, 0);
});

test('a pod sharing its PID namespace gets only the rootfs beside the pause (that namespace is the pause’s)', async (t) => {
  const { dirs, runtime } = await fakeRuntime(t, 'beside-');
  const sandbox = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes, { pid: 'pod' }), [
    { name: 'a', attempt: 0, image: busybox, request: request('a') },
  ]);
  assert.deepEqual(
    runtime.containersOf(sandbox.id).map((c) => c.state),
    ['creating'],
  );
  const a = await runtime.createContainer(sandbox.id, request('a'), busybox);
  assert.equal(a.state, 'created');
  await runtime.removePodSandbox(sandbox.id);
});

test('a sandbox whose network fails removes the containers made beside it before its own undo', async (t) => {
  const { host, dirs, runtime } = await fakeRuntime(t, 'beside-');
  host.failNext('network.setUp');
  await assert.rejects(
    runtime.runPodSandbox(sandboxConfig(dirs.sandboxes), [{ name: 'a', attempt: 0, image: busybox, request: request('a') }]),
    /injected failure/,
  );
  assert.equal(runtime.sandboxes.list().length + runtime.containers.list().length, 0);
  assert.equal(host.mounted.size + host.containers.size + host.netns.size + host.cgroupsCreated.size, 0);
  const ops = host.calls.map((c) => c.op);
  const created = host.calls.find((c) => c.op === 'oci.create');
  assert.ok(created !== undefined, 'the container was created beside the pause');
  const removed = host.calls.findIndex((c) => c.op === 'oci.remove' && c.args[0] === created.args[0]);
  assert.ok(removed >= 0 && removed < ops.lastIndexOf('cgroups.remove'), ops.join(' '));
});

test('a create beside the pause that fails is undone, and its error answers the create it stands for', async (t) => {
  const { host, dirs, runtime } = await fakeRuntime(t, 'beside-');
  host.failNext('oci.create');
  const sandbox = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes), [{ name: 'a', attempt: 0, image: busybox, request: request('a') }]);
  assert.equal(runtime.containers.list().length, 0);
  assert.equal(host.mounted.size, 0);
  // Reported as the kubelet's create failing (CreateContainerError), not hidden by a second try.
  await assert.rejects(runtime.createContainer(sandbox.id, request('a'), busybox), /injected failure in oci.create/);
  const a = await runtime.createContainer(sandbox.id, request('a'), busybox);
  assert.equal(a.state, 'created');
  await runtime.removePodSandbox(sandbox.id);
  assert.equal(host.mounted.size + host.containers.size, 0);
});

test('a pod with sysctls gets only the rootfs beside the pause (runc would write them while CNI ADD runs)', async (t) => {
  const { dirs, runtime } = await fakeRuntime(t, 'beside-');
  const config = sandboxConfig(dirs.sandboxes, { sysctls: { 'net.ipv4.conf.eth0.rp_filter': '2' } });
  const sandbox = await runtime.runPodSandbox(config, [{ name: 'a', attempt: 0, image: busybox, request: request('a') }]);
  assert.deepEqual(
    runtime.containersOf(sandbox.id).map((c) => c.state),
    ['creating'],
  );
  await runtime.removePodSandbox(sandbox.id);
});

test('a container made beside a pause that died before the claim is not handed out; stop unpins, removal forgets', async (t) => {
  const { host, dirs, runtime } = await fakeRuntime(t, 'beside-');
  const sandbox = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes), [{ name: 'a', attempt: 0, image: busybox, request: request('a') }]);
  const [made] = runtime.containersOf(sandbox.id);
  host.exit(sandbox.id, 137);
  for (let i = 0; i < 100 && runtime.sandboxes.get(sandbox.id)?.state === 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(runtime.sandboxes.get(sandbox.id)?.state, 'notready');
  await assert.rejects(runtime.createContainer(sandbox.id, request('a'), busybox), /not ready/);
  assert.equal(runtime.containers.get(made?.id ?? ''), undefined, 'the one made beside the pause is removed');

  const second = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes, { uid: 'u2', name: 'q' }), [
    { name: 'b', attempt: 0, image: busybox, request: request('b') },
  ]);
  const [unclaimed] = runtime.containersOf(second.id);
  await runtime.stopPodSandbox(second.id, 0);
  assert.ok(
    host.calls.some((c) => c.op === 'pins.remove' && c.args[0] === second.id),
    'StopPodSandbox releases the pins with the network',
  );
  await runtime.removePodSandbox(second.id);
  await runtime.removePodSandbox(sandbox.id);
  assert.equal(runtime.createdBeside(unclaimed?.id ?? ''), false);
  assert.equal(host.mounted.size + host.containers.size, 0);
});
