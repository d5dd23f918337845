// The leak checker must be able to fail: leak a mount, a cgroup (with a process in it), a process
// naming the run root and a file on purpose, see every one reported, then see it pass once they are gone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { paths } from '../../src/common/config.js';
import { run, runUnchecked } from '../../src/host/exec.js';
import { mountTmpfs, unmount } from '../../src/host/mount.js';
import { isAlive } from '../../src/host/proc.js';
import { assertNoLeaks, formatLeaks, listHostObjects, subnetPrefix } from '../helpers/leaks.js';
import { cgroupMountPoints } from '../helpers/cgroupfs.js';
import { makeTestRoots } from '../helpers/roots.js';
import type { TestRoots } from '../helpers/roots.js';
import { waitFor } from '../helpers/wait.js';

let roots: TestRoots;
before(async () => {
  roots = await makeTestRoots();
});
after(async () => {
  await roots.cleanup();
});

test('subnetPrefix', () => {
  assert.equal(subnetPrefix('10.171.33.0/24'), '10.171.33.');
  assert.equal(subnetPrefix('10.89.0.0/16'), '10.89.');
  assert.equal(subnetPrefix('10.0.0.0/8'), undefined);
});

test('listHostObjects reports leaked objects and assertNoLeaks fails, then passes once they are gone', async () => {
  const { config } = roots;
  const mountTarget = join(config.runRoot, 'leaky-mount');
  await mkdir(mountTarget, { recursive: true });
  await mountTmpfs(mountTarget, { sizeBytes: 65536 });

  const memory = (await cgroupMountPoints()).find((p) => p.endsWith('/memory')) ?? (await cgroupMountPoints())[0] ?? '';
  const podCgroup = join(memory, config.cgroupRoot, 'kubepods', 'pod-leak');
  await mkdir(podCgroup, { recursive: true });
  // An allowed QoS dir alone is not a leak.
  await mkdir(join(memory, config.cgroupRoot, 'kubepods', 'besteffort'), { recursive: true });

  const leakyFile = join(config.runRoot, 'conmon', 'abc', 'pidfile');
  await mkdir(join(config.runRoot, 'conmon', 'abc'), { recursive: true });
  await writeFile(leakyFile, '1');

  // A process whose argv names the run root, placed in the leaked cgroup.
  const child = spawn('/bin/sh', ['-c', 'sleep 60; : "$0"', config.runRoot], { stdio: 'ignore', detached: true });
  const pid = child.pid ?? 0;
  child.unref();
  await writeFile(join(podCgroup, 'cgroup.procs'), String(pid));

  const objects = await listHostObjects(config);
  assert.deepEqual(
    objects.mounts.map((m) => m.split(' ')[0]),
    [mountTarget],
  );
  assert.ok(
    objects.cgroups.some((c) => c.startsWith(podCgroup) && c.includes(String(pid))),
    formatLeaks(objects),
  );
  assert.ok(!objects.cgroups.some((c) => c.endsWith('besteffort')), 'the empty QoS dir is allowed');
  assert.ok(
    objects.processes.some((p) => p.startsWith(`${pid}:`)),
    formatLeaks(objects),
  );
  assert.deepEqual(objects.files, [leakyFile]);
  await assert.rejects(assertNoLeaks(config, { settleMs: 0 }), (err: Error) => {
    for (const needle of [mountTarget, podCgroup, leakyFile, String(pid), 'mounts:', 'cgroups:', 'processes:', 'files:']) {
      assert.ok(err.message.includes(needle), `the message names ${needle}:\n${err.message}`);
    }
    return true;
  });

  process.kill(-pid, 'SIGKILL'); // its whole group: the sh and its sleep
  await waitFor(async () => !(await isAlive(pid)), { timeoutMs: 5000, description: 'the leaked process to die' });
  await unmount(mountTarget);
  await waitFor(() => rmdir(podCgroup).then(() => true), { timeoutMs: 5000, description: 'the pod cgroup to be removable' });
  await rmdir(join(memory, config.cgroupRoot, 'kubepods', 'besteffort'));
  await rmdir(join(memory, config.cgroupRoot, 'kubepods'));
  await rm(leakyFile);
  await assertNoLeaks(config);
});

test('listHostObjects reports a leftover bridge with its veth, an IP lease and an iptables chain', async (t) => {
  const { config } = roots;
  const peer = `${config.bridge}p`;
  const veth = `${config.bridge}v`;
  const chain = `${config.bridge}-LEAK`;
  const cleanupNet = async (): Promise<void> => {
    await runUnchecked('ip', ['link', 'del', veth], { timeoutMs: 5000 });
    await runUnchecked('ip', ['link', 'del', config.bridge], { timeoutMs: 5000 });
    await runUnchecked('iptables', ['-X', chain], { timeoutMs: 5000 });
  };
  t.after(cleanupNet);
  await run('ip', ['link', 'add', config.bridge, 'type', 'bridge'], { timeoutMs: 5000 });
  await run('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', peer], { timeoutMs: 5000 });
  await run('ip', ['link', 'set', veth, 'master', config.bridge], { timeoutMs: 5000 });
  await run('iptables', ['-N', chain], { timeoutMs: 5000 });
  const leases = join(paths(config).cniNetworks, 'peapod');
  await mkdir(leases, { recursive: true });
  const ip = `${subnetPrefix(config.subnet) ?? ''}7`;
  await Promise.all([writeFile(join(leases, ip), 'id'), writeFile(join(leases, 'last_reserved_ip.0'), ip), writeFile(join(leases, 'lock'), '')]);

  const objects = await listHostObjects(config);
  assert.deepEqual(objects.links, [`bridge ${config.bridge}`, `${veth} (attached to ${config.bridge})`]);
  assert.deepEqual(objects.ipLeases, [join(leases, ip)]);
  assert.ok(
    objects.iptables.some((l) => l.includes(chain)),
    formatLeaks(objects),
  );

  await cleanupNet();
  await rm(join(config.root, 'cni'), { recursive: true });
  const clean = await listHostObjects(config);
  assert.deepEqual([clean.links, clean.ipLeases, clean.iptables], [[], [], []]);
});
