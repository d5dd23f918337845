// A host whose cgroup v2 tree lacks a controller the runtime needs (here memory, bound to a v1 hierarchy
// the way the development VMs' hybrid layout keeps it): the daemon refuses to start, like the kubelet,
// and `peapod info` (which starts it on demand) says which controller and which file, instead of every
// pod failing later with EACCES on memory.max. It changes the host's cgroup layout for a moment, so it
// runs only where that is allowed: the throwaway v2 guest of scripts/test-v2.sh sets PEAPOD_TEST_REBIND_CGROUPS=1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runUnchecked } from '../../src/host/exec.js';
import { assertNoLeaks, runCli } from '../helpers/leaks.js';
import { makeTestRoots } from '../helpers/roots.js';
import { CGROUP_FS_ROOT, cgroupLayout } from '../helpers/cgroupfs.js';

const allowed = process.env['PEAPOD_TEST_REBIND_CGROUPS'] === '1' && process.getuid?.() === 0 && (await cgroupLayout()) === 'v2';

test('cgroup v2 without the memory controller: no daemon, and info names the controller and the file', { skip: allowed ? false : 'needs a throwaway cgroup v2 host (PEAPOD_TEST_REBIND_CGROUPS=1, set in the v2 guest)' }, async (t) => {
  const roots = await makeTestRoots();
  const env = roots.env();
  const mnt = await mkdtemp(join(tmpdir(), 'peapod-memv1-'));
  const rootControl = join(CGROUP_FS_ROOT, 'cgroup.subtree_control');
  t.after(async () => {
    await runUnchecked('umount', [mnt], { timeoutMs: 10_000 });
    await rm(mnt, { recursive: true, force: true });
    await writeFile(rootControl, '+memory').catch(() => undefined);
    await roots.cleanup();
  });
  // memory leaves the unified tree: off in the root's subtree_control, then bound to a v1 hierarchy.
  await writeFile(rootControl, '-memory');
  await run('mount', ['-t', 'cgroup', '-o', 'memory', 'peapod-test-memv1', mnt], { timeoutMs: 10_000 });
  const offered = (await readFile(join(CGROUP_FS_ROOT, 'cgroup.controllers'), 'utf8')).trim().split(/\s+/);
  assert.ok(!offered.includes('memory'), `memory still offered: ${offered.join(' ')}`);

  const info = await runCli(env, ['info']);
  assert.notEqual(info.code, 0, info.stdout);
  assert.match(info.stderr, /the peapod daemon did not start: .*cgroup v2: required controller missing: memory \(not in \/sys\/fs\/cgroup\/cgroup\.controllers\); peapod needs cpu, memory, pids/);
  assert.doesNotMatch(info.stderr, /EACCES|ENOENT/);
  await assertNoLeaks(roots.config);
});
