// Generated specs under the real runc: a container (own namespaces, host network, and joined to a
// running sandbox's namespaces) runs `sh` to completion; the sandbox's catatonit starts and stops on
// SIGTERM. Unique runc root, bundle dirs and cgroup parent; all removed in t.after.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { run, runUnchecked } from '../../src/host/exec.js';
import { buildContainerSpec, buildSandboxSpec } from '../../src/oci/spec.js';
import { clampOomScoreAdj, containerResources, SANDBOX_OOM_SCORE_ADJ } from '../../src/oci/resources.js';
import type { ContainerSpecInput, SandboxSpecInput } from '../../src/oci/types.js';
import { removeCgroupTree } from '../helpers/roots.js';

const RUNC = '/usr/sbin/runc';
const BUSYBOX = '/bin/busybox';
const CATATONIT = '/usr/bin/catatonit';
const RUNC_TIMEOUT_MS = 30_000;
const canRun = process.getuid?.() === 0;

interface Env {
  readonly dir: string;
  readonly runcRoot: string;
  readonly cgroupParent: string;
  /** This process's oom_score_adj: the lowest value these hosts let a child ask for. */
  readonly oomFloor: number;
}

async function makeEnv(t: { after(fn: () => Promise<void>): void }): Promise<Env> {
  const dir = await mkdtemp(join(tmpdir(), 'peapod-runc-spec-'));
  const runcRoot = join(dir, 'runc-root');
  const cgroupParent = `/peapod-test-${randomBytes(4).toString('hex')}`;
  const oomFloor = Number((await readFile('/proc/self/oom_score_adj', 'utf8')).trim());
  const env = { dir, runcRoot, cgroupParent, oomFloor };
  t.after(async () => {
    const list = await runUnchecked(RUNC, ['--root', runcRoot, 'list', '-q'], { timeoutMs: RUNC_TIMEOUT_MS });
    for (const id of list.stdout.split('\n').filter((l) => l !== '')) {
      await runUnchecked(RUNC, ['--root', runcRoot, 'delete', '--force', id], { timeoutMs: RUNC_TIMEOUT_MS });
    }
    await removeCgroupTree(cgroupParent);
    await rm(dir, { recursive: true, force: true });
  });
  return env;
}

async function busyboxRootfs(dir: string): Promise<string> {
  const rootfs = join(dir, 'rootfs');
  await mkdir(join(rootfs, 'bin'), { recursive: true });
  await copyFile(BUSYBOX, join(rootfs, 'bin', 'busybox'));
  await symlink('busybox', join(rootfs, 'bin', 'sh'));
  return rootfs;
}

function containerInput(env: Env, id: string, rootfs: string, script: string, overrides: Partial<ContainerSpecInput> = {}): ContainerSpecInput {
  return {
    containerId: id,
    hostname: 'web-0',
    rootfs,
    args: ['/bin/sh', '-c', script],
    env: ['PATH=/bin'],
    cwd: '/',
    terminal: false,
    network: { mode: 'own' },
    ipc: { mode: 'own' },
    uts: { mode: 'own' },
    pid: { mode: 'own' },
    cgroupNamespace: false,
    mounts: [],
    cgroupsPath: `${env.cgroupParent}/${id}`,
    resources: { ...containerResources({ cpuRequestMilli: 100, cpuLimitMilli: 500, memoryLimitBytes: 64 * 1024 * 1024 }), pidsLimit: 32 },
    oomScoreAdj: clampOomScoreAdj(500, env.oomFloor),
    security: {
      uid: 1000,
      gid: 1000,
      additionalGids: [],
      privileged: false,
      capabilitiesAdd: [],
      capabilitiesDrop: [],
      readOnlyRootfs: true,
      noNewPrivileges: true,
      seccomp: { kind: 'runtime-default' },
      procMount: 'Default',
      sysctls: {},
    },
    annotations: {},
    ...overrides,
  };
}

async function writeBundle(dir: string, spec: unknown): Promise<string> {
  await writeFile(join(dir, 'config.json'), JSON.stringify(spec, null, 2));
  return dir;
}

/** `runc run` in the foreground; the container's exit code is runc's. */
async function runcRun(env: Env, id: string, bundle: string): Promise<{ code: number; stderr: string }> {
  const r = await runUnchecked(RUNC, ['--root', env.runcRoot, 'run', '--bundle', bundle, id], { timeoutMs: RUNC_TIMEOUT_MS });
  await runUnchecked(RUNC, ['--root', env.runcRoot, 'delete', '--force', id], { timeoutMs: RUNC_TIMEOUT_MS });
  return { code: r.code, stderr: r.stderr + r.stdout };
}

async function runcState(env: Env, id: string): Promise<{ status: string; pid: number } | undefined> {
  const r = await runUnchecked(RUNC, ['--root', env.runcRoot, 'state', id], { timeoutMs: RUNC_TIMEOUT_MS });
  if (r.code !== 0) return undefined;
  return JSON.parse(r.stdout) as { status: string; pid: number };
}

// Inside: read-only root, /sys read-only, masked /proc/kcore, no ambient privileges, limits applied.
const CHECKS = [
  'set -e',
  '! /bin/busybox touch /x 2>/dev/null',
  '! /bin/busybox touch /sys/x 2>/dev/null',
  '[ "$(/bin/busybox id -u)" = 1000 ]',
  '[ ! -s /proc/kcore ]',
  '[ -e /sys/kernel ]',
  'exit 0',
].join('; ');

test('a generated container spec runs under runc', { skip: canRun ? false : 'needs root and runc' }, async (t) => {
  const env = await makeEnv(t);
  const bundle = join(env.dir, 'c1');
  const rootfs = await busyboxRootfs(bundle);
  const spec = buildContainerSpec(containerInput(env, 'c1', rootfs, CHECKS));
  const r = await runcRun(env, `pt-c1-${randomBytes(3).toString('hex')}`, await writeBundle(bundle, spec));
  assert.equal(r.code, 0, r.stderr);
  // And the exit code is the container's: the checks can fail.
  const failing = buildContainerSpec(containerInput(env, 'c1', rootfs, 'exit 7'));
  assert.equal((await runcRun(env, `pt-c1b-${randomBytes(3).toString('hex')}`, await writeBundle(bundle, failing))).code, 7);
});

test('host network: /sys is a read-only bind and runc accepts it', { skip: canRun ? false : 'needs root and runc' }, async (t) => {
  const env = await makeEnv(t);
  const bundle = join(env.dir, 'c2');
  const rootfs = await busyboxRootfs(bundle);
  const spec = buildContainerSpec(
    containerInput(env, 'c2', rootfs, `${CHECKS.replace('; exit 0', '')}; [ -e /sys/class/net/lo ]; exit 0`, {
      network: { mode: 'host' },
      uts: { mode: 'host' },
    }),
  );
  assert.equal(spec.mounts.find((m) => m.destination === '/sys')?.type, 'bind');
  const r = await runcRun(env, `pt-c2-${randomBytes(3).toString('hex')}`, await writeBundle(bundle, spec));
  assert.equal(r.code, 0, r.stderr);
});

test(
  'a generated sandbox spec runs catatonit, a container joins its namespaces, SIGTERM stops it',
  { skip: canRun ? false : 'needs root and runc' },
  async (t) => {
    const env = await makeEnv(t);
    const sandboxDir = join(env.dir, 'sandbox');
    const sandboxRootfs = join(sandboxDir, 'rootfs');
    await mkdir(sandboxRootfs, { recursive: true });
    const sandboxId = `pt-sb-${randomBytes(3).toString('hex')}`;
    const input: SandboxSpecInput = {
      sandboxId,
      hostname: 'pod-a',
      rootfs: sandboxRootfs,
      pausePath: CATATONIT,
      network: { mode: 'own' },
      ipc: { mode: 'own' },
      uts: { mode: 'own' },
      pid: { mode: 'own' },
      cgroupsPath: `${env.cgroupParent}/${sandboxId}`,
      oomScoreAdj: clampOomScoreAdj(SANDBOX_OOM_SCORE_ADJ, env.oomFloor),
      sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
      annotations: {},
      // A RuntimeDefault pod's: catatonit must run under the default profile's filter.
      seccomp: { kind: 'runtime-default' },
    };
    await writeBundle(sandboxDir, buildSandboxSpec(input));
    // Detached: runc returns once catatonit runs; its stdio goes nowhere.
    await run(RUNC, ['--root', env.runcRoot, 'run', '--detach', '--bundle', sandboxDir, sandboxId], { timeoutMs: RUNC_TIMEOUT_MS });
    const state = await runcState(env, sandboxId);
    assert.equal(state?.status, 'running');
    const pausePid = state?.pid ?? 0;
    assert.match(await readFile(`/proc/${pausePid}/cmdline`, 'utf8'), /catatonit/);
    assert.match(await readFile(`/proc/${pausePid}/status`, 'utf8'), /^Seccomp:\s+2$/m, 'the filter is on');

    // A container in the pod: joins net, ipc, uts and pid; sees the pod's hostname and sysctl, no hostname of its own.
    const bundle = join(env.dir, 'c3');
    const rootfs = await busyboxRootfs(bundle);
    const ns = (kind: string): { mode: 'pod'; path: string } => ({ mode: 'pod', path: `/proc/${pausePid}/ns/${kind}` });
    const script = `${CHECKS.replace('; exit 0', '')}; [ "$(/bin/busybox hostname)" = pod-a ]; [ "$(/bin/busybox cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" = 0 ]; exit 0`;
    const spec = buildContainerSpec(containerInput(env, 'c3', rootfs, script, { network: ns('net'), ipc: ns('ipc'), uts: ns('uts'), pid: ns('pid') }));
    assert.equal(spec.hostname, undefined);
    const r = await runcRun(env, `pt-c3-${randomBytes(3).toString('hex')}`, await writeBundle(bundle, spec));
    assert.equal(r.code, 0, r.stderr);

    await run(RUNC, ['--root', env.runcRoot, 'kill', sandboxId, 'TERM'], { timeoutMs: RUNC_TIMEOUT_MS });
    let status = 'running';
    for (let i = 0; i < 100 && status !== 'stopped'; i++) {
      await delay(50);
      status = (await runcState(env, sandboxId))?.status ?? 'gone';
    }
    assert.equal(status, 'stopped', 'catatonit exits on SIGTERM');
    await run(RUNC, ['--root', env.runcRoot, 'delete', sandboxId], { timeoutMs: RUNC_TIMEOUT_MS });
  },
);
