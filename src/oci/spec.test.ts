// Golden files pin the whole config.json for a few representative inputs (UPDATE_GOLDEN=1 rewrites
// them after an intended change); invariant tests change one field of one fixture and check its effect.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { buildContainerSpec, buildSandboxSpec } from './spec.js';
import type { ContainerSpecInput, SandboxSpecInput, SecurityInput } from './types.js';
import type { Seccomp, Spec } from './spec-types.js';
import { DEFAULT_CAPABILITIES, ALL_CAPABILITIES } from './security.js';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS } from './defaults.js';
import { defaultSeccompProfile, pauseSeccompProfile } from './seccomp.js';

// Goldens live in the source tree (src/oci/testdata), not in dist/.
const here = dirname(fileURLToPath(import.meta.url));
const TESTDATA = resolve(here, '..', '..', '..', 'src', 'oci', 'testdata');
const PAUSE_NS = '/proc/4242/ns';

function security(overrides: Partial<SecurityInput> = {}): SecurityInput {
  return {
    uid: 1000,
    gid: 1000,
    additionalGids: [2000],
    privileged: false,
    capabilitiesAdd: [],
    capabilitiesDrop: [],
    readOnlyRootfs: false,
    noNewPrivileges: false,
    seccomp: { kind: 'runtime-default' },
    procMount: 'Default',
    sysctls: {},
    ...overrides,
  };
}

function container(overrides: Partial<ContainerSpecInput> = {}, sec: Partial<SecurityInput> = {}): ContainerSpecInput {
  return {
    containerId: 'c0ffee',
    hostname: 'web-0',
    rootfs: '/run/peapod/containers/c0ffee/rootfs',
    args: ['/bin/sh', '-c', 'exec sleep 3600'],
    env: ['PATH=/usr/bin:/bin', 'HOME=/root'],
    cwd: '/srv',
    terminal: false,
    network: { mode: 'pod', path: `${PAUSE_NS}/net` },
    ipc: { mode: 'pod', path: `${PAUSE_NS}/ipc` },
    uts: { mode: 'pod', path: `${PAUSE_NS}/uts` },
    pid: { mode: 'own' },
    cgroupNamespace: false,
    mounts: [
      { destination: '/etc/hosts', source: '/run/peapod/sandboxes/s1/hosts', type: 'bind', options: ['rbind', 'rprivate', 'rw'] },
      { destination: '/data', source: '/var/lib/peapod/volumes/data', type: 'bind', options: ['rbind', 'rprivate', 'ro'] },
    ],
    cgroupsPath: '/peapod/kubepods/burstable/podu1/c0ffee',
    resources: { cpuShares: 256, cpuQuotaUs: 50_000, cpuPeriodUs: 100_000, memoryLimitBytes: 134_217_728 },
    oomScoreAdj: 937,
    security: security(sec),
    annotations: { 'io.kubernetes.cri.container-type': 'container' },
    ...overrides,
  };
}

function sandbox(overrides: Partial<SandboxSpecInput> = {}): SandboxSpecInput {
  return {
    sandboxId: 's1',
    hostname: 'web-0',
    rootfs: '/run/peapod/sandboxes/s1/rootfs',
    pausePath: '/usr/bin/catatonit',
    network: { mode: 'pod', path: '/run/netns/peapod-s1' },
    ipc: { mode: 'own' },
    uts: { mode: 'own' },
    pid: { mode: 'own' },
    cgroupsPath: '/peapod/kubepods/burstable/podu1/s1',
    oomScoreAdj: -998,
    sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
    annotations: { 'io.kubernetes.cri.container-type': 'sandbox' },
    // What the kubelet asks for every sandbox.
    seccomp: { kind: 'runtime-default' },
    ...overrides,
  };
}

async function golden(name: string, spec: Spec): Promise<void> {
  const file = join(TESTDATA, `${name}.json`);
  const text = `${JSON.stringify(spec, null, 2)}\n`;
  if (process.env['UPDATE_GOLDEN'] === '1') await writeFile(file, text);
  assert.equal(text, await readFile(file, 'utf8'), `${name}.json differs; rerun with UPDATE_GOLDEN=1 if the change is intended`);
}

const mount = (spec: Spec, destination: string) => spec.mounts.find((m) => m.destination === destination);
const nsTypes = (spec: Spec): string[] => spec.linux.namespaces.map((n) => n.type);

// The goldens carry the x86_64 seccomp architectures.
const onX64 = process.arch === 'x64';

test('golden: container in a pod', { skip: !onX64 }, async () => {
  await golden('container-pod', buildContainerSpec(container()));
});
test('golden: privileged host-network container', { skip: !onX64 }, async () => {
  await golden(
    'container-privileged-hostnet',
    buildContainerSpec(container({ network: { mode: 'host' }, uts: { mode: 'host' }, ipc: { mode: 'host' } }, { privileged: true })),
  );
});
test('golden: sandbox', { skip: !onX64 }, async () => {
  await golden('sandbox', buildSandboxSpec(sandbox()));
});

test('the spec is pure: same input, same output, input untouched', () => {
  const input = container();
  const copy = structuredClone(input);
  assert.deepEqual(buildContainerSpec(input), buildContainerSpec(input));
  assert.deepEqual(input, copy);
});

test('default mounts in containerd order, then input mounts shallowest first; an input on a default destination replaces it', () => {
  const spec = buildContainerSpec(container());
  assert.deepEqual(
    spec.mounts.map((m) => m.destination),
    ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup', '/data', '/etc/hosts'],
  );
  // A volume at /etc goes before the pod's /etc/hosts (containerd's WithMounts), which then shows over it.
  const etc = { destination: '/etc/', source: '/vol', type: 'bind', options: ['rbind', 'rw'] };
  const hosts = { destination: '/etc/hosts', source: '/run/peapod/sandboxes/s1/hosts', type: 'bind', options: ['bind', 'rw'] };
  assert.deepEqual(
    buildContainerSpec(container({ mounts: [hosts, etc] }))
      .mounts.slice(-2)
      .map((m) => m.destination),
    ['/etc/', '/etc/hosts'],
  );
  assert.deepEqual(mount(spec, '/dev/pts')?.options, ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']);
  const shm = { destination: '/dev/shm', source: '/run/peapod/sandboxes/s1/shm', type: 'bind', options: ['rbind', 'ro'] };
  const replaced = buildContainerSpec(container({ mounts: [shm] }));
  assert.equal(replaced.mounts.filter((m) => m.destination === '/dev/shm').length, 1);
  assert.deepEqual(mount(replaced, '/dev/shm'), shm);
  assert.equal(replaced.mounts.at(-1)?.destination, '/dev/shm', 'moves to the input position');
});

test('joined pod netns: a fresh read-only sysfs; host network: an rbind of /sys', () => {
  const pod = buildContainerSpec(container());
  assert.deepEqual(mount(pod, '/sys'), { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] });
  const host = buildContainerSpec(container({ network: { mode: 'host' } }));
  assert.deepEqual(mount(host, '/sys'), { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
  assert.equal(nsTypes(host).includes('network'), false);
  const own = buildContainerSpec(container({ network: { mode: 'own' } }));
  assert.equal(mount(own, '/sys')?.type, 'sysfs');
});

test('namespaces: pod → path, own → new, host → absent; mount always own; cgroup on request', () => {
  const spec = buildContainerSpec(container());
  assert.deepEqual(spec.linux.namespaces, [
    { type: 'pid' },
    { type: 'network', path: `${PAUSE_NS}/net` },
    { type: 'ipc', path: `${PAUSE_NS}/ipc` },
    { type: 'uts', path: `${PAUSE_NS}/uts` },
    { type: 'mount' },
  ]);
  const shared = buildContainerSpec(container({ pid: { mode: 'pod', path: `${PAUSE_NS}/pid` } }));
  assert.deepEqual(shared.linux.namespaces[0], { type: 'pid', path: `${PAUSE_NS}/pid` });
  const hostPid = buildContainerSpec(container({ pid: { mode: 'host' } }));
  assert.equal(nsTypes(hostPid).includes('pid'), false);
  assert.equal(nsTypes(buildContainerSpec(container({ cgroupNamespace: true }))).at(-1), 'cgroup');
});

test('hostname only with an own UTS namespace', () => {
  assert.equal(buildContainerSpec(container()).hostname, undefined, 'joins the pod UTS');
  assert.equal(buildContainerSpec(container({ uts: { mode: 'own' } })).hostname, 'web-0');
  assert.equal(buildContainerSpec(container({ uts: { mode: 'host' } })).hostname, undefined);
  assert.equal(buildSandboxSpec(sandbox()).hostname, 'web-0');
  assert.equal(buildSandboxSpec(sandbox({ uts: { mode: 'host' }, network: { mode: 'host' } })).hostname, undefined);
});

test('process: args, env, cwd, user, rlimits within the hard limit, oomScoreAdj', () => {
  const spec = buildContainerSpec(container({ terminal: true }));
  assert.deepEqual(spec.process.args, ['/bin/sh', '-c', 'exec sleep 3600']);
  assert.equal(spec.process.cwd, '/srv');
  assert.equal(spec.process.terminal, true);
  assert.deepEqual(spec.process.user, { uid: 1000, gid: 1000, additionalGids: [2000] });
  assert.deepEqual(spec.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }]);
  assert.ok(spec.process.rlimits.every((r) => r.hard <= 20000));
  assert.equal(spec.process.oomScoreAdj, 937);
  assert.equal(buildContainerSpec(container({}, { additionalGids: [] })).process.user.additionalGids, undefined);
});

test('capabilities: containerd defaults; add and drop with or without CAP_; ALL', () => {
  const base = buildContainerSpec(container()).process.capabilities;
  assert.deepEqual(base.bounding, DEFAULT_CAPABILITIES);
  assert.deepEqual(base.effective, DEFAULT_CAPABILITIES);
  assert.deepEqual(base.permitted, DEFAULT_CAPABILITIES);
  assert.deepEqual(base.inheritable, []);
  assert.deepEqual(base.ambient, []);
  const caps = (sec: Partial<SecurityInput>): string[] => buildContainerSpec(container({}, sec)).process.capabilities.bounding;
  const added = caps({ capabilitiesAdd: ['NET_ADMIN', 'cap_sys_time'], capabilitiesDrop: ['CAP_MKNOD', 'kill'] });
  assert.ok(added.includes('CAP_NET_ADMIN') && added.includes('CAP_SYS_TIME'));
  assert.ok(!added.includes('CAP_MKNOD') && !added.includes('CAP_KILL'));
  assert.deepEqual(caps({ capabilitiesDrop: ['ALL'] }), []);
  assert.deepEqual(caps({ capabilitiesDrop: ['ALL'], capabilitiesAdd: ['NET_BIND_SERVICE'] }), ['CAP_NET_BIND_SERVICE']);
  assert.deepEqual(caps({ capabilitiesAdd: ['ALL'] }), ALL_CAPABILITIES);
  assert.deepEqual(
    caps({ capabilitiesAdd: ['ALL'], capabilitiesDrop: ['SYS_ADMIN'] }),
    ALL_CAPABILITIES.filter((c) => c !== 'CAP_SYS_ADMIN'),
  );
  assert.deepEqual(caps({ capabilitiesAdd: ['ALL'], capabilitiesDrop: ['ALL'] }), [], 'drop ALL wins, as in containerd');
  assert.throws(() => caps({ capabilitiesAdd: ['CAP_FLY'] }), { code: 'InvalidArgument' });
});

test('privileged: every capability, every device, no masks, no seccomp, writable sysfs', () => {
  const spec = buildContainerSpec(container({}, { privileged: true }));
  assert.deepEqual(spec.process.capabilities.bounding, ALL_CAPABILITIES);
  assert.deepEqual(spec.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
  assert.equal(spec.linux.maskedPaths, undefined);
  assert.equal(spec.linux.readonlyPaths, undefined);
  assert.equal(spec.linux.seccomp, undefined);
  assert.ok(mount(spec, '/sys')?.options.includes('rw'));
  assert.ok(mount(spec, '/sys/fs/cgroup')?.options.includes('rw'));
});

test('devices: deny all first, then the standard allow list', () => {
  const devices = buildContainerSpec(container()).linux.resources.devices;
  assert.deepEqual(devices[0], { allow: false, access: 'rwm' });
  assert.ok(
    devices.some((d) => d.allow && d.type === 'c' && d.major === 1 && d.minor === 3 && d.access === 'rwm'),
    '/dev/null',
  );
  assert.ok(
    devices.some((d) => d.allow && d.type === 'c' && d.major === 136 && d.minor === undefined),
    '/dev/pts/*',
  );
});

test('readonly rootfs and noNewPrivileges follow the input', () => {
  assert.equal(buildContainerSpec(container()).root.readonly, false);
  assert.equal(buildContainerSpec(container({}, { readOnlyRootfs: true })).root.readonly, true);
  assert.equal(buildContainerSpec(container({}, { noNewPrivileges: true })).process.noNewPrivileges, true);
});

test('masked and readonly paths: containerd defaults; procMount Unmasked drops them', () => {
  const spec = buildContainerSpec(container());
  assert.deepEqual(spec.linux.maskedPaths, DEFAULT_MASKED_PATHS);
  assert.deepEqual(spec.linux.readonlyPaths, DEFAULT_READONLY_PATHS);
  const unmasked = buildContainerSpec(container({}, { procMount: 'Unmasked' }));
  assert.equal(unmasked.linux.maskedPaths, undefined);
  assert.equal(unmasked.linux.readonlyPaths, undefined);
});

test('seccomp: runtime-default, unconfined, localhost', () => {
  const def = buildContainerSpec(container()).linux.seccomp;
  assert.equal(def?.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(def?.defaultErrnoRet, 1);
  if (onX64) assert.deepEqual(def?.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  const allowed = (s: Seccomp | undefined): string[] =>
    (s?.syscalls ?? []).filter((c) => c.action === 'SCMP_ACT_ALLOW' && c.args === undefined).flatMap((c) => c.names);
  assert.ok(allowed(def).includes('read') && allowed(def).includes('execve'));
  assert.ok(!allowed(def).includes('mount') && !allowed(def).includes('unshare') && !allowed(def).includes('kexec_load'));
  const clone = def?.syscalls?.find((c) => c.names.includes('clone'));
  assert.deepEqual(clone?.args, [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
  assert.deepEqual(
    def?.syscalls?.find((c) => c.names.includes('clone3')),
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
  );
  assert.equal(def?.syscalls?.filter((c) => c.names[0] === 'personality').length, 5);

  const admin = buildContainerSpec(container({}, { capabilitiesAdd: ['SYS_ADMIN', 'SYS_PTRACE'] })).linux.seccomp;
  assert.ok(allowed(admin).includes('mount') && allowed(admin).includes('clone') && allowed(admin).includes('process_vm_readv'));
  assert.equal(
    admin?.syscalls?.some((c) => c.args !== undefined && c.names.includes('clone')),
    false,
    'no clone flag filter with SYS_ADMIN',
  );

  assert.equal(buildContainerSpec(container({}, { seccomp: { kind: 'unconfined' } })).linux.seccomp, undefined);
  const profile = { defaultAction: 'SCMP_ACT_LOG', syscalls: [{ names: ['chmod'], action: 'SCMP_ACT_ERRNO' }] };
  assert.deepEqual(buildContainerSpec(container({}, { seccomp: { kind: 'localhost', profile } })).linux.seccomp, profile);
  assert.throws(() => buildContainerSpec(container({}, { seccomp: { kind: 'localhost', profile: 'nope' } })), { code: 'InvalidArgument' });
  assert.equal(buildContainerSpec(container({}, { privileged: true, seccomp: { kind: 'localhost', profile } })).linux.seccomp, undefined);
});

test('resources: set values only; quota needs a positive value', () => {
  assert.deepEqual(buildContainerSpec(container()).linux.resources.cpu, { shares: 256, quota: 50_000, period: 100_000 });
  const none = buildContainerSpec(container({ resources: {} })).linux.resources;
  assert.equal(none.cpu, undefined);
  assert.equal(none.memory, undefined);
  assert.equal(none.pids, undefined);
  const pids = buildContainerSpec(container({ resources: { cpuShares: 2, pidsLimit: 100, memoryLimitBytes: 1 << 20 } })).linux.resources;
  assert.deepEqual(pids.cpu, { shares: 2 });
  assert.deepEqual(pids.pids, { limit: 100 });
  assert.deepEqual(pids.memory, { limit: 1 << 20 });
});

test('sysctls and annotations are copied; empty ones are left out', () => {
  const spec = buildContainerSpec(container({}, { sysctls: { 'net.ipv4.ping_group_range': '0 2147483647' } }));
  assert.deepEqual(spec.linux.sysctl, { 'net.ipv4.ping_group_range': '0 2147483647' });
  assert.equal(buildContainerSpec(container()).linux.sysctl, undefined);
  assert.equal(buildContainerSpec(container({ annotations: {} })).annotations, undefined);
});

test('sandbox: catatonit -P from a read-only bind, read-only root, no capabilities, its namespaces', () => {
  const spec = buildSandboxSpec(sandbox());
  assert.deepEqual(spec.process.args, ['/catatonit', '-P']);
  assert.deepEqual(mount(spec, '/catatonit'), { destination: '/catatonit', type: 'bind', source: '/usr/bin/catatonit', options: ['rbind', 'ro'] });
  assert.equal(spec.root.readonly, true);
  assert.deepEqual(spec.process.capabilities.bounding, []);
  assert.deepEqual(spec.linux.namespaces, [
    { type: 'pid' },
    { type: 'network', path: '/run/netns/peapod-s1' },
    { type: 'ipc' },
    { type: 'uts' },
    { type: 'mount' },
  ]);
  assert.equal(spec.process.oomScoreAdj, -998);
  assert.deepEqual(spec.linux.sysctl, { 'net.ipv4.ip_unprivileged_port_start': '0' });
  assert.equal(spec.linux.cgroupsPath, '/peapod/kubepods/burstable/podu1/s1');
  const hostNet = buildSandboxSpec(sandbox({ network: { mode: 'host' }, uts: { mode: 'host' }, pid: { mode: 'host' } }));
  assert.deepEqual(nsTypes(hostNet), ['ipc', 'mount']);
  assert.equal(mount(hostNet, '/sys')?.type, 'bind');
});

test("sandbox /dev/shm: the pod's, bound read-only and data only in place of the pause's own tmpfs", () => {
  assert.equal(mount(buildSandboxSpec(sandbox()), '/dev/shm')?.type, 'tmpfs', 'a record older than the pod shm: the default');
  const spec = buildSandboxSpec(sandbox({ shm: '/run/peapod/shm/s1' }));
  assert.deepEqual(
    spec.mounts.filter((m) => m.destination === '/dev/shm'),
    [{ destination: '/dev/shm', type: 'bind', source: '/run/peapod/shm/s1', options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'] }],
  );
});

test("sandbox seccomp: the sandbox security context's, none when unconfined, the default one built for no capabilities", () => {
  assert.equal(buildSandboxSpec(sandbox({ seccomp: { kind: 'unconfined' } })).linux.seccomp, undefined);
  const def = buildSandboxSpec(sandbox()).linux.seccomp;
  assert.equal(def?.defaultAction, 'SCMP_ACT_ERRNO');
  const names = new Set(def?.syscalls?.flatMap((s) => (s.action === 'SCMP_ACT_ALLOW' && s.args === undefined ? s.names : [])) ?? []);
  assert.ok(names.has('pause') && names.has('wait4'), 'what catatonit calls');
  assert.ok(!names.has('mount') && !names.has('umount2'), 'no capability widens it');
  assert.deepEqual(def?.syscalls, defaultSeccompProfile([]).syscalls, "the default profile's rules for no capabilities");
  if (onX64) assert.deepEqual(def?.architectures, ['SCMP_ARCH_X86_64'], 'the host ABI only: catatonit makes no compat syscall');
  assert.deepEqual(pauseSeccompProfile('arm64').architectures, ['SCMP_ARCH_AARCH64']);
  assert.deepEqual(pauseSeccompProfile('s390x').architectures, ['SCMP_ARCH_S390X']);
  assert.deepEqual(pauseSeccompProfile('mips').architectures, [], "an arch peapod has no name for: runc's native one");
  const profile = { defaultAction: 'SCMP_ACT_LOG' };
  assert.deepEqual(buildSandboxSpec(sandbox({ seccomp: { kind: 'localhost', profile } })).linux.seccomp, profile);
});
