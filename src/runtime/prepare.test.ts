// Containers prepared while their sandbox is made (container/prepare.ts), on the fake host: the create of
// the same name, attempt and image finishes the prepared container (same ID, its overlay mounted once);
// a failed sandbox, another image, a failed create and a crash each undo it, leaving nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from './runtime.js';
import { fakeImage, type FakeHost } from './testing/fake-host.js';
import { containerRequest } from './testing/container-request.js';
import { fakeRuntime, sandboxConfig, type FakeRuntime } from './testing/fake-runtime.js';

async function setup(t: { after: (fn: () => Promise<void>) => void }): Promise<FakeRuntime> {
  return fakeRuntime(t, 'prepare-');
}

const busybox = fakeImage('busybox', { cmd: ['sh'] });
const request = (name: string, attempt = 0) => containerRequest(name, { attempt, image: busybox.id, command: ['sh'] });
const overlays = (host: FakeHost): number => host.calls.filter((c) => c.op === 'mounts.overlay').length;

test('the create of a prepared container finishes it: same ID, one overlay mount, the request config recorded', async (t) => {
  const { host, dirs, runtime } = await setup(t);
  const sandbox = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes), [
    { name: 'a', attempt: 0, image: busybox },
    { name: 'b', attempt: 0, image: busybox },
  ]);
  const prepared = runtime.containersOf(sandbox.id);
  assert.deepEqual(prepared.map((c) => [c.config.name, c.state, c.done]).sort(), [
    // Every step of the create listed with the record's first write: the undo takes what never happened.
    ['a', 'creating', ['rootfs', 'bundle', 'created']],
    ['b', 'creating', ['rootfs', 'bundle', 'created']],
  ]);
  assert.ok(
    prepared.every((c) => c.stepsDoneAt?.bundle === undefined),
    'a listed step has no time until it is done',
  );
  assert.equal(host.mounted.size, 2);
  // Not before the sandbox asked for its pause: its first steps are the pod start's critical path.
  const ops = host.calls.map((c) => c.op);
  const pause = ops.findIndex((op) => op === 'oci.run' || op === 'oci.create');
  assert.ok(ops.indexOf('cgroups.create') < pause && pause < ops.indexOf('mounts.overlay'), ops.join(' '));
  const a = await runtime.createContainer(sandbox.id, request('a'), busybox);
  assert.equal(a.id, prepared.find((c) => c.config.name === 'a')?.id);
  assert.equal(a.state, 'created');
  assert.deepEqual(a.config.args, ['sh']);
  assert.equal(a.config.logPath, 'a/0.log');
  assert.ok(a.stepsDoneAt?.rootfs !== undefined && a.stepsDoneAt.bundle !== undefined && a.stepsDoneAt.created !== undefined);
  assert.equal(overlays(host), 2);
  // Another attempt is not the prepared one: it gets its own rootfs.
  const b1 = await runtime.createContainer(sandbox.id, request('b', 1), busybox);
  assert.notEqual(b1.id, prepared.find((c) => c.config.name === 'b')?.id);
  assert.equal(overlays(host), 3);
  await runtime.removePodSandbox(sandbox.id);
  assert.equal(runtime.containers.list().length, 0);
  assert.equal(host.mounted.size + host.containers.size + host.netns.size, 0);
});

test('a sandbox that fails takes its prepared containers along', async (t) => {
  const { host, dirs, runtime } = await setup(t);
  host.failNext('oci.run');
  await assert.rejects(runtime.runPodSandbox(sandboxConfig(dirs.sandboxes), [{ name: 'a', attempt: 0, image: busybox }]), /injected failure/);
  assert.equal(runtime.sandboxes.list().length + runtime.containers.list().length, 0);
  assert.equal(host.mounted.size + host.netns.size + host.cgroupsCreated.size, 0);
});

test('a sandbox that fails before its pause prepares nothing', async (t) => {
  const { host, dirs, runtime } = await setup(t);
  host.failNext('cgroups.create');
  await assert.rejects(runtime.runPodSandbox(sandboxConfig(dirs.sandboxes), [{ name: 'a', attempt: 0, image: busybox }]), /injected failure/);
  assert.equal(runtime.sandboxes.list().length + runtime.containers.list().length, 0);
  assert.equal(overlays(host), 0);
});

test('a container that cannot be prepared is undone and made by its create instead', async (t) => {
  const { host, dirs, runtime } = await setup(t);
  host.failNext('mounts.overlay');
  const sandbox = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes), [{ name: 'a', attempt: 0, image: busybox }]);
  assert.equal(runtime.containers.list().length, 0);
  const a = await runtime.createContainer(sandbox.id, request('a'), busybox);
  assert.equal(a.state, 'created');
  assert.equal(host.mounted.size, 1);
  await runtime.removePodSandbox(sandbox.id);
  assert.equal(host.mounted.size, 0);
});

test('a create with another image, or one that fails, undoes the prepared container', async (t) => {
  const { host, dirs, runtime } = await setup(t);
  const sandbox = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes), [
    { name: 'a', attempt: 0, image: busybox },
    { name: 'b', attempt: 0, image: busybox },
  ]);
  const [preparedA, preparedB] = ['a', 'b'].map((n) => runtime.containersOf(sandbox.id).find((c) => c.config.name === n)?.id);
  const other = fakeImage('registry.example/other', { cmd: ['sh'] });
  const a = await runtime.createContainer(sandbox.id, { ...request('a'), image: other.id }, other);
  assert.notEqual(a.id, preparedA);
  assert.equal(runtime.containers.get(preparedA ?? ''), undefined);
  host.failNext('oci.create');
  await assert.rejects(runtime.createContainer(sandbox.id, request('b'), busybox), /injected failure/);
  assert.equal(runtime.containers.get(preparedB ?? ''), undefined);
  // a's own rootfs only.
  assert.equal(host.mounted.size, 1);
  // A request the image cannot satisfy fails before any step of its own: the prepared rootfs goes too.
  const bare = fakeImage('bare', {});
  const again = await runtime.runPodSandbox({ ...sandboxConfig(dirs.sandboxes), uid: 'u2', name: 'q' }, [{ name: 'c', attempt: 0, image: bare }]);
  assert.equal(runtime.containersOf(again.id).length, 1);
  await assert.rejects(runtime.createContainer(again.id, { ...request('c'), image: bare.id, command: [] }, bare), /no command specified/);
  assert.equal(runtime.containersOf(again.id).length, 0);
  await runtime.removePodSandbox(sandbox.id);
  await runtime.removePodSandbox(again.id);
  assert.equal(host.mounted.size + host.containers.size, 0);
});

test('prepared containers a crash left behind are undone on recovery', async (t) => {
  const { host, dirs, runtime } = await setup(t);
  const sandbox = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes), [{ name: 'a', attempt: 0, image: busybox }]);
  runtime.close();
  const again = new Runtime(host, dirs);
  t.after(() => Promise.resolve(again.close()));
  await again.load();
  await again.recover();
  assert.equal(again.containersOf(sandbox.id).length, 0);
  assert.equal(host.mounted.size, 0);
  assert.equal(again.sandbox(sandbox.id).state, 'ready');
  await again.removePodSandbox(sandbox.id);
});
