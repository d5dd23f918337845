// Component tests of the pod manager and its workers on the fake host, with an injectable clock:
// CrashLoopBackOff timing, and termination order and grace periods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime } from '../runtime/runtime.js';
import { FakeHost } from '../runtime/testing/fake-host.js';
import type { ImageRecord, ImageService } from '../image/types.js';
import type { Pod } from '../kube/types.js';
import { applyDefaults } from '../kube/defaults.js';
import { PodManager } from './manager.js';

const image: ImageRecord = {
  id: `sha256:${'1'.repeat(64)}`,
  names: ['docker.io/library/busybox:latest'],
  repoDigests: [],
  manifestDigest: `sha256:${'2'.repeat(64)}`,
  os: 'linux',
  architecture: 'amd64',
  size: 1,
  layers: [],
  config: { cmd: ['sh'] },
  storedAt: '',
};

const images = {
  find: () => Promise.resolve(image),
  ensure: () => Promise.resolve(image),
} as unknown as ImageService;

async function setup(t: { after: (fn: () => Promise<void>) => void }): Promise<{ host: FakeHost; pods: PodManager; runtime: Runtime }> {
  const dir = await mkdtemp(join(tmpdir(), 'kubelet-'));
  const host = new FakeHost();
  const runtime = new Runtime(host, {
    sandboxRecords: join(dir, 'rs'),
    containerRecords: join(dir, 'rc'),
    sandboxes: join(dir, 'sandboxes'),
    pauseRootfs: join(dir, 'pause-rootfs'),
    containers: join(dir, 'containers'),
    pausePath: '/usr/bin/catatonit',
    hostResolvConf: join(dir, 'none'),
    hostHosts: join(dir, 'none'),
  });
  await runtime.load();
  const pods = new PodManager({
    root: dir,
    runtime,
    images,
    ctx: { cgroupRoot: '/test', logRoot: join(dir, 'logs'), oomScoreAdjFloor: 0, memoryCapacityBytes: 2 ** 30, seccompRoot: join(dir, 'seccomp') },
    volumeOps: {
      mountTmpfs: () => Promise.resolve(),
      unmount: () => Promise.resolve(),
      isMountPoint: () => Promise.resolve(false),
      bindExact: () => Promise.resolve(),
      mountsUnder: () => Promise.resolve([]),
    },
    now: () => host.clock,
    log: () => undefined,
  });
  await pods.start();
  t.after(async () => {
    pods.stop();
    // A worker stopped mid-sync still finishes the record write it started: let it, then remove the dir.
    await pods.idle();
    runtime.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { host, pods, runtime };
}

const pod = (spec: Partial<Pod['spec']>): Pod =>
  applyDefaults({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'busybox' }], ...spec } });

async function settle(pods: PodManager): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await pods.idle();
    await new Promise((r) => setImmediate(r));
  }
}

test('CrashLoopBackOff: immediate first restart, then 10 s, then 20 s, on the injected clock', async (t) => {
  const { host, pods, runtime } = await setup(t);
  await pods.apply([pod({})], { force: false });
  await settle(pods);
  const current = (): { id: string; restarts: number; waiting: string | undefined } => {
    const track = pods.find('default', 'p')?.containers['app'];
    return { id: track?.containerId ?? '', restarts: track?.restartCount ?? -1, waiting: track?.waiting?.reason };
  };
  const crash = async (): Promise<void> => {
    host.exit(current().id, 1);
    await new Promise<void>((resolve) => runtime.onContainerExit(() => resolve()));
    await settle(pods);
  };
  await crash();
  assert.equal(current().restarts, 1, 'the first crash restarts at once');
  host.clock = new Date(host.clock.getTime() + 1000);
  await crash();
  assert.deepEqual([current().restarts, current().waiting], [1, 'CrashLoopBackOff']);
  host.clock = new Date(host.clock.getTime() + 9_000);
  const uid = pods.find('default', 'p')?.id ?? '';
  pods.requestSync(uid);
  await settle(pods);
  assert.equal(current().restarts, 1, 'still backing off 9 s after the crash');
  host.clock = new Date(host.clock.getTime() + 1_001);
  pods.requestSync(uid);
  await settle(pods);
  assert.equal(current().restarts, 2, 'restarted once 10 s passed');
});

test('termination: main containers first, then sidecars last-declared first, within one grace period', async (t) => {
  const { host, pods } = await setup(t);
  const sidecar = (name: string) => ({ name, image: 'busybox', restartPolicy: 'Always' as const });
  await pods.apply(
    [
      pod({
        initContainers: [sidecar('s1'), sidecar('s2')],
        containers: [
          { name: 'a', image: 'busybox' },
          { name: 'b', image: 'busybox' },
        ],
      }),
    ],
    { force: false },
  );
  await settle(pods);
  const record = pods.find('default', 'p');
  const nameOf = new Map(Object.entries(record?.containers ?? {}).map(([name, track]) => [track.containerId ?? '', name]));
  host.calls.length = 0;
  await pods.delete('default', 'p', { graceSeconds: 7 });
  const stops = host.calls.filter((c) => c.op === 'oci.stop' && nameOf.has(String(c.args[0])));
  const order = stops.map((c) => nameOf.get(String(c.args[0])));
  assert.deepEqual(order.slice(0, 2).sort(), ['a', 'b']);
  assert.deepEqual(order.slice(2), ['s2', 's1']);
  for (const c of stops) assert.ok(Number(c.args[1]) <= 7000 && Number(c.args[1]) > 6000, `grace ${String(c.args[1])}`);
  assert.equal(pods.find('default', 'p'), undefined);
  assert.equal(host.containers.size + host.netns.size + host.leases.size, 0);
});

test('a liveness kill that fails is retried: the container keeps being probed and is restarted once the kill works', { timeout: 20_000 }, async (t) => {
  const { host, pods } = await setup(t);
  host.execExitCode = 1;
  host.failNext('oci.stop');
  const liveness = { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 1 };
  await pods.apply([pod({ containers: [{ name: 'app', image: 'busybox', livenessProbe: liveness }] })], { force: false });
  const stops = (): number => host.calls.filter((c) => c.op === 'oci.stop').length;
  const deadline = Date.now() + 10_000;
  while ((pods.find('default', 'p')?.containers['app']?.restartCount ?? 0) < 1 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    await settle(pods);
  }
  const record = pods.find('default', 'p');
  assert.equal(record?.containers['app']?.restartCount, 1, 'restarted after the second kill');
  assert.ok(stops() >= 2, `the kill was tried again (${stops()} stops)`);
  assert.ok(
    record?.events.some((e) => e.reason === 'FailedKillPod'),
    'the failed kill is an event',
  );
  host.execExitCode = 0;
});

test('IPv4 forwarding off: each pod on the pod network gets a warning event saying so; host-network pods do not', async (t) => {
  const { host, pods } = await setup(t);
  host.forwardingProblem = 'IPv4 forwarding is off (/proc/sys/net/ipv4/ip_forward: 0): pods cannot reach anything beyond this host';
  await pods.apply([pod({})], { force: false });
  await settle(pods);
  const warned = pods.find('default', 'p')?.events.find((e) => e.reason === 'IPForwardingDisabled');
  assert.equal(warned?.type, 'Warning');
  assert.match(warned?.message ?? '', /IPv4 forwarding is off/);
  const hostNet = applyDefaults({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'h' },
    spec: { hostNetwork: true, containers: [{ name: 'app', image: 'busybox' }] },
  });
  await pods.apply([hostNet], { force: false });
  await settle(pods);
  assert.equal(
    pods.find('default', 'h')?.events.some((e) => e.reason === 'IPForwardingDisabled'),
    false,
  );
  host.forwardingProblem = undefined;
});
