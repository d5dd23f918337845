// The pod subnet's addresses all taken: the next pod stays Pending and says why (host-local's "no IP
// addresses available"), each failed attempt leaves nothing of a sandbox behind, and as soon as a running
// pod is deleted the pending one gets its address and runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { assertNoLeaks } from '../helpers/leaks.js';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { makeTestRoots } from '../helpers/roots.js';
import { applyManifest, busyboxPod, deletePods, getPod, waitDescribed, waitFootprint, waitRunning } from './common.js';

/** A /29 has 8 addresses: network, gateway (.1) and broadcast taken, 5 left for pods. */
const POD_ADDRESSES = 5;

/** A /29 in the tests' 10.150–250 range (see randomSubnet in test/helpers/roots.ts). */
function tinySubnet(): string {
  return `10.${randomInt(150, 251)}.${randomInt(0, 256)}.${8 * randomInt(0, 32)}/29`;
}

test('IP pool exhausted: the extra pod stays Pending with the IPAM error, and runs once an address is free', { timeout: 300_000 }, async (t) => {
  const roots = await makeTestRoots({ subnet: tinySubnet() });
  const started: { daemon?: TestDaemon } = {};
  t.after(async () => {
    await started.daemon?.stop();
    await roots.cleanup();
  });
  const env = roots.env();
  const daemon = (started.daemon = await startDaemon(roots));
  await loadBusybox(roots);

  const running = Array.from({ length: POD_ADDRESSES }, (_, i) => `ip${i}`);
  for (const name of running) await applyManifest(roots, env, name, busyboxPod(name));
  const ips = new Set<string>();
  for (const name of running) ips.add((await waitRunning(env, name)).status?.podIP ?? '');
  assert.equal(ips.size, POD_ADDRESSES, `every pod has its own address: ${[...ips].join(', ')}`);

  await applyManifest(roots, env, 'extra', busyboxPod('extra'));
  const text = await waitDescribed(env, 'extra', /FailedCreatePodSandBox/, 'the extra pod to report its sandbox failure');
  const event = text.split('\n').find((l) => l.includes('FailedCreatePodSandBox')) ?? '';
  t.diagnostic(event.trim());
  assert.match(event, /no IP addresses available/, `the event carries host-local's reason: ${event}`);
  const prefix = roots.config.subnet.split('.').slice(0, 3).join('.');
  assert.ok(event.includes(`${prefix}.`), `the event names the exhausted range in ${roots.config.subnet}: ${event}`);
  const extra = await getPod(env, 'extra');
  assert.equal(extra?.status?.phase, 'Pending');
  assert.equal(extra?.status?.podIP, undefined, 'no address');

  // Only the running pods' sandboxes exist: the failed attempts left no pin, veth, lease or cgroup.
  await waitFootprint(roots.config, POD_ADDRESSES, POD_ADDRESSES, "only the running pods to hold sandbox objects between the extra pod's attempts");

  // One address freed: the pod worker's retry takes it.
  await deletePods(env, ['ip0']);
  const now = await waitRunning(env, 'extra', 'the extra pod to run once an address was freed');
  assert.ok(now.status?.podIP !== undefined && now.status.podIP !== '', 'the extra pod has an address');

  await deletePods(env, ['extra', ...running.slice(1)]);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
