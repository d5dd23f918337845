// Component tests of the runtime on the fake host: every step's undo runs when a later step fails,
// exits are recorded with the kubelet's reasons, and a new Runtime on the same records adopts state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Runtime } from './runtime.js';
import type { ContainerRequest, SandboxConfig } from './types.js';
import { containerRequest } from './testing/container-request.js';
import { fakeRuntime, sandboxConfig as podSandbox, type FakeRuntime } from './testing/fake-runtime.js';
import { RecordStore } from '../store/record-store.js';
import { isSandboxRecord } from './validate-records.js';

async function setup(t: { after: (fn: () => Promise<void>) => void }): Promise<FakeRuntime> {
  return fakeRuntime(t, 'runtime-');
}

const sandboxConfig = (dir: string): SandboxConfig => podSandbox(dir, { podResources: { cpuShares: 2 } });

const containerConfig = (name: string): ContainerRequest => containerRequest(name, { command: ['sh'], workingDir: '/' });

test('a failed CNI ADD undoes the netns and the pod cgroup and leaves no record', async (t) => {
  const { host, dirs, runtime } = await setup(t);
  host.failNext('network.setUp');
  await assert.rejects(runtime.runPodSandbox(sandboxConfig(dirs.sandboxes)), /injected failure in network.setUp/);
  assert.equal(runtime.sandboxes.list().length, 0);
  assert.equal(host.netns.size, 0);
  assert.equal(host.cgroupsCreated.size, 0);
  // ADD can allocate and then fail: DEL must still have run.
  assert.ok(host.calls.some((c) => c.op === 'network.tearDown'));
});

test('a failed runc create undoes the overlay and the record', async (t) => {
  const { host, dirs, runtime } = await setup(t);
  const sandbox = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes));
  host.failNext('oci.create');
  await assert.rejects(runtime.createContainer(sandbox.id, containerConfig('c')), /injected failure/);
  assert.equal(runtime.containers.list().length, 0);
  assert.equal(host.mounted.size, 0);
});

test('exits are recorded with the kubelet reasons; a new runtime adopts running containers', async (t) => {
  const { host, dirs, runtime } = await setup(t);
  const sandbox = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes));
  const a = await runtime.createContainer(sandbox.id, containerConfig('a'));
  const b = await runtime.createContainer(sandbox.id, containerConfig('b'));
  await runtime.startContainer(a.id);
  await runtime.startContainer(b.id);
  const exited = new Promise<string>((resolve) => runtime.onContainerExit((e) => resolve(e.containerId)));
  host.exit(a.id, 137, true);
  assert.equal(await exited, a.id);
  assert.equal(runtime.container(a.id).exit?.reason, 'OOMKilled');
  runtime.close();

  const again = new Runtime(host, dirs);
  await again.load();
  await again.recover();
  assert.equal(again.container(b.id).state, 'running');
  assert.equal(again.sandbox(sandbox.id).state, 'ready');
  host.exit(b.id, 0);
  await new Promise<void>((resolve) => again.onContainerExit(() => resolve()));
  assert.equal(again.container(b.id).exit?.reason, 'Completed');
  await again.removePodSandbox(sandbox.id);
  await again.removePodSandbox(sandbox.id);
  assert.equal(again.sandboxes.list().length + again.containers.list().length, 0);
  assert.equal(host.netns.size + host.leases.size + host.mounted.size + host.containers.size, 0);
  again.close();
});

test('a sandbox left half-created by a crash is undone on recovery', async (t) => {
  const { host, dirs, runtime } = await setup(t);
  // Simulate the crash: the undo itself never runs because the record says 'creating' when we reload.
  assert.equal(runtime.sandboxes.list().length, 0);
  await new RecordStore(dirs.sandboxRecords, isSandboxRecord).put({
    schema: 1,
    id: 'x'.repeat(64),
    config: sandboxConfig(dirs.sandboxes),
    state: 'creating',
    createdAt: '',
    done: ['cgroup', 'netns', 'network'],
    netnsPath: '/fake/netns/x',
    dir: join(dirs.sandboxes, 'x'),
  });
  host.netns.add('x'.repeat(64));
  const again = new Runtime(host, dirs);
  await again.load();
  await again.recover();
  assert.equal(again.sandboxes.list().length, 0);
  assert.equal(host.netns.size, 0);
  assert.ok(host.calls.some((c) => c.op === 'network.tearDown'));
});

test('a pause process that dies by itself makes its sandbox notready and says so; a deliberate stop does not', async (t) => {
  const { host, dirs, runtime } = await setup(t);
  const died: string[] = [];
  runtime.onSandboxExit((id) => died.push(id));
  const sandbox = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes));
  const noticed = new Promise<void>((resolve) => runtime.onSandboxExit(() => resolve()));
  host.exit(sandbox.id, 137);
  await noticed;
  assert.equal(runtime.sandbox(sandbox.id).state, 'notready');
  assert.deepEqual(died, [sandbox.id]);

  const other = await runtime.runPodSandbox({ ...sandboxConfig(dirs.sandboxes), uid: 'u2', name: 'q' });
  await runtime.stopPodSandbox(other.id, 0);
  await runtime.removePodSandbox(other.id);
  await runtime.removePodSandbox(sandbox.id);
  assert.deepEqual(died, [sandbox.id]);
});

test('a container started just before a crash but recorded as created is adopted as running, not started again', async (t) => {
  const { host, dirs, runtime } = await setup(t);
  const sandbox = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes));
  const a = await runtime.createContainer(sandbox.id, containerConfig('a'));
  // The daemon died between `runc start` and writing the record: the host runs it, the record says created.
  await host.oci.start(a.id);
  runtime.close();
  const again = new Runtime(host, dirs);
  t.after(() => Promise.resolve(again.close()));
  await again.load();
  await again.recover();
  assert.equal(again.container(a.id).state, 'running');
  assert.equal(host.calls.filter((c) => c.op === 'oci.start' && c.args[0] === a.id).length, 1);
});

test('an exit stamped before the recorded start (coarse exit-file clock) is recorded as finishing when it started', async (t) => {
  const { host, dirs, runtime } = await setup(t);
  const sandbox = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes));
  const a = await runtime.createContainer(sandbox.id, containerConfig('a'));
  const started = await runtime.startContainer(a.id);
  // conmon's exit file mtime: 4 ms before our clock read after `runc start` returned.
  host.clock = new Date(host.clock.getTime() - 4);
  const exited = new Promise<void>((resolve) => runtime.onContainerExit(() => resolve()));
  host.exit(a.id, 1);
  await exited;
  const record = runtime.container(a.id);
  assert.ok(started.startedAt !== undefined && record.exit !== undefined);
  assert.equal(record.exit.finishedAt, started.startedAt);
  assert.ok(Date.parse(record.startedAt ?? '') <= Date.parse(record.exit.finishedAt));
});

test('a resource update racing an exit on the same container keeps both (one lock for every record write)', async (t) => {
  const { host, dirs, runtime } = await setup(t);
  const sandbox = await runtime.runPodSandbox(sandboxConfig(dirs.sandboxes));
  const a = await runtime.createContainer(sandbox.id, containerConfig('a'));
  await runtime.startContainer(a.id);
  // The exit is recorded after reading the cgroup's OOM count: hold that read until the update has been
  // asked for, so a writer outside the runtime's lock would have put its record in between.
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const read = host.cgroups.read.bind(host.cgroups);
  host.cgroups.read = async (path) => {
    await held;
    return read(path);
  };
  const exited = new Promise<void>((resolve) => runtime.onContainerExit(() => resolve()));
  host.exit(a.id, 0);
  await new Promise((resolve) => setImmediate(resolve));
  const update = runtime.updateContainerResources(a.id, { memoryLimitBytes: 64 << 20 });
  release();
  await exited;
  // Queued behind the exit on the container's lock, the update finds the container exited and changes
  // nothing; a writer beside the lock would have changed the cgroup and had its record overwritten.
  await assert.rejects(update, /has exited/);
  const record = runtime.container(a.id);
  assert.equal(record.state, 'exited');
  assert.equal(record.exit?.reason, 'Completed');
  assert.equal(record.config.resources.memoryLimitBytes, undefined);
  assert.ok(!host.calls.some((c) => c.op === 'cgroups.update' && c.args[0] === a.cgroupsPath));

  const b = await runtime.createContainer(sandbox.id, containerConfig('b'));
  await runtime.startContainer(b.id);
  const update2 = runtime.updateContainerResources(b.id, { memoryLimitBytes: 32 << 20 });
  const stopped = runtime.stopContainer(b.id, 0);
  await Promise.all([update2, stopped]);
  const both = runtime.container(b.id);
  assert.equal(both.state, 'exited');
  assert.equal(both.config.resources.memoryLimitBytes, 32 << 20);
  assert.equal(host.cgroupsCreated.get(both.cgroupsPath)?.memoryLimitBytes, 32 << 20);
});

test('sandboxes past maxParallelPodStarts wait before their first step, and start as a slot frees', async (t) => {
  const { host, dirs, runtime } = await fakeRuntime(t, 'runtime-', { maxParallelPodStarts: 1 });
  // The first sandbox's CNI ADD is held until the test lets it go.
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const setUp = host.network.setUp.bind(host.network);
  let calls = 0;
  host.network.setUp = async (request) => {
    if (calls++ === 0) await held;
    return setUp(request);
  };
  const first = runtime.runPodSandbox(podSandbox(dirs.sandboxes, { name: 'a', uid: 'ua' }));
  const second = runtime.runPodSandbox(podSandbox(dirs.sandboxes, { name: 'b', uid: 'ub' }));
  // A third one whose caller gives up while it waits (a CRI client's cancelled RunPodSandbox).
  const controller = new AbortController();
  const third = runtime.runPodSandbox(podSandbox(dirs.sandboxes, { name: 'c', uid: 'uc' }), [], controller.signal);
  const netnsMade = (): number => host.calls.filter((c) => c.op === 'network.createNetns').length;
  await waitUntil(() => calls === 1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(netnsMade(), 1, 'the second sandbox has not started any step while the first holds the only slot');
  assert.equal(runtime.sandboxes.list().length, 1);
  controller.abort();
  await assert.rejects(third, /pod default\/c was cancelled while it waited for one of 1 start slots/);
  release();
  const [a, b] = await Promise.all([first, second]);
  assert.equal(netnsMade(), 2, 'the cancelled sandbox never made anything');
  assert.deepEqual([a.state, b.state], ['ready', 'ready']);
  assert.deepEqual(
    runtime.sandboxes
      .list()
      .map((r) => r.config.name)
      .sort(),
    ['a', 'b'],
  );
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.ok(condition(), 'condition never held');
}
