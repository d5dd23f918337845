// The golden test of the one translation: the same pods go through `peapod apply` (the pod manager, our
// kubelet) and through the CRI calls a kubelet makes for them (RunPodSandbox, CreateContainer with the
// ContainerConfig kuberuntime builds), on one daemon; the OCI specs the runtime writes (config.json of
// every container and of each sandbox's pause) must be the same but for what the kubelet or the runtime
// decides per object, listed in EXCEPTIONS with why. Covered: ENTRYPOINT+CMD with and without an args
// override, the image's USER and runAsUser/runAsGroup/supplementalGroups, env with and without PATH (and
// an image without PATH), a $(VAR) reference, a Localhost seccomp profile, RuntimeDefault (a container's and
// a pod's; the pause is under RuntimeDefault in every pod, as the kubelet asks), a hostNetwork
// pod's hostname, readOnlyRootFilesystem, capabilities, allowPrivilegeEscalation, a volume, pod sysctls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { busyboxLayout } from '../helpers/daemon.js';
import { buildLayer } from '../image/helpers/build.js';
import { writeDerivedImages } from '../helpers/derived-images.js';
import type { Message } from './client.js';
import { startCriTest } from './harness.js';

const PASSWD = ['root:x:0:0:root:/root:/bin/sh', 'app:x:1000:1001::/home/app:/bin/sh', ''].join('\n');
const GROUP = ['root:x:0:', 'wheel:x:10:root,app', 'app:x:1001:app', 'staff:x:50:', ''].join('\n');

/** The images' configs over busybox's layer: one with ENTRYPOINT+CMD, a named USER, PATH and WORKDIR; one without PATH. */
const IMAGES: Readonly<Record<string, Message>> = {
  'golden-entry': {
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: ['echo from-cmd; exec sleep 3600'],
    User: 'app',
    Env: ['PATH=/usr/bin:/bin', 'FROM_IMAGE=entry'],
    WorkingDir: '/tmp',
  },
  'golden-nopath': { Cmd: ['sh'], User: '1000:50', Env: ['FROM_IMAGE=nopath'] },
};
const ref = (name: string): string => `localhost/${name}:latest`;
const SLEEP = ['sh', '-c', 'exec sleep 3600'];
const PROFILE = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] };

/**
 * What may differ between the two fronts' specs, and why. Everything else must be equal. The first
 * group is replaced by placeholders before the comparison (the values occur inside paths); the second
 * is a field the comparison blanks.
 */
const EXCEPTIONS = {
  substituted: {
    containerId: 'the runtime names each container: in root.path, linux.cgroupsPath',
    sandboxId: 'the runtime names each sandbox: in the sandbox-id annotation, the /etc/hosts, resolv.conf and hostname sources, the netns path',
    podUid: "the pod's uid (the API server's, or whatever the CRI caller sends): in the pod cgroup of linux.cgroupsPath",
    pausePid: "the pause process's pid: in the /proc/<pid>/ns/* paths the containers join",
  },
  blanked: {
    terminationLog:
      "the source of the /dev/termination-log mount: a file the kubelet creates per pod and attempt (pods/<uid>/containers/<name>/<n>-termination-log), the CRI caller's own",
  },
} as const;

async function readJson(path: string): Promise<Message> {
  return JSON.parse(await readFile(path, 'utf8')) as Message;
}

/** An OCI layout with the IMAGES over busybox's layers, plus a layer with /etc/passwd and /etc/group. */
async function writeLayout(dir: string, busybox: string): Promise<void> {
  const layer = await buildLayer([
    { path: 'etc/', dir: true },
    { path: 'etc/passwd', content: PASSWD },
    { path: 'etc/group', content: GROUP },
  ]);
  await writeDerivedImages(
    dir,
    busybox,
    Object.entries(IMAGES).map(([name, config]) => ({ ref: ref(name), layer, config: () => config })),
  );
}

function manifests(dataDir: string): string {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'golden' },
    spec: {
      terminationGracePeriodSeconds: 1,
      securityContext: { supplementalGroups: [4000], sysctls: [{ name: 'kernel.shm_rmid_forced', value: '1' }] },
      volumes: [{ name: 'data', hostPath: { path: dataDir, type: 'Directory' } }],
      containers: [
        {
          name: 'entry',
          image: ref('golden-entry'),
          imagePullPolicy: 'Never',
          args: ['echo from-args; exec sleep 3600'],
          env: [
            { name: 'GREETING', value: 'hi' },
            { name: 'MESSAGE', value: '$(GREETING) there' },
          ],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
          securityContext: {
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { add: ['NET_ADMIN'], drop: ['CHOWN'] },
            seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/golden.json' },
          },
        },
        {
          name: 'runas',
          image: ref('golden-nopath'),
          imagePullPolicy: 'Never',
          command: SLEEP,
          env: [{ name: 'PATH', value: '/opt/bin:/bin' }],
          securityContext: { runAsUser: 1234, runAsGroup: 3000, seccompProfile: { type: 'RuntimeDefault' } },
        },
        { name: 'defaults', image: ref('golden-entry'), imagePullPolicy: 'Never' },
      ],
    },
  };
  const hostPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'golden-host' },
    spec: {
      terminationGracePeriodSeconds: 1,
      hostNetwork: true,
      // The pod's profile: its container's; the pause is under RuntimeDefault in either pod (the kubelet's).
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'host', image: ref('golden-nopath'), imagePullPolicy: 'Never', command: SLEEP }],
    },
  };
  return [pod, hostPod].map((p) => JSON.stringify(p)).join('\n---\n');
}

/** The PodSandboxConfig kuberuntime's generatePodSandboxConfig builds (no hostname for a hostNetwork pod). */
function criSandbox(name: string, uid: string, logRoot: string, hostNetwork: boolean): Message {
  return {
    metadata: { name, namespace: 'golden-cri', uid, attempt: 0 },
    hostname: hostNetwork ? '' : name,
    log_directory: join(logRoot, `golden-cri_${name}_${uid}`),
    linux: {
      cgroup_parent: `/kubepods/besteffort/pod${uid}`,
      ...(hostNetwork ? {} : { sysctls: { 'kernel.shm_rmid_forced': '1' } }),
      security_context: {
        namespace_options: { network: hostNetwork ? 'NODE' : 'POD', pid: 'CONTAINER', ipc: 'POD' },
        ...(hostNetwork ? {} : { supplemental_groups: ['4000'] }),
        // generatePodSandboxLinuxConfig: RuntimeDefault for every sandbox (kubernetes#84623).
        seccomp: { profile_type: 'RuntimeDefault' },
      },
    },
    labels: { 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.namespace': 'golden-cri', 'io.kubernetes.pod.uid': uid },
  };
}

interface CriContainer {
  readonly name: string;
  readonly config: Message;
}

/**
 * The ContainerConfigs kuberuntime's generateContainerConfig builds for the same containers: command and
 * args as given with $(VAR) expanded, env from the pod only, the volume's host path and the termination
 * log, BestEffort resources (cpu_shares 2, oom_score_adj 1000), the security context with the Localhost
 * profile's absolute path under the seccomp root. The image's defaults are the runtime's to add.
 */
function criContainers(dataDir: string, profile: string, terminationLog: string, hostNetwork: boolean): CriContainer[] {
  const base = (name: string, image: string, extra: Message, security: Message): CriContainer => ({
    name,
    config: {
      metadata: { name, attempt: 0 },
      image: { image: ref(image) },
      log_path: `${name}/0.log`,
      // The volumes in volumeMounts order, then the termination log (makeMounts).
      mounts: [...((extra['mounts'] as Message[] | undefined) ?? []), { container_path: '/dev/termination-log', host_path: terminationLog }],
      linux: {
        resources: { cpu_shares: 2, oom_score_adj: 1000 },
        security_context: {
          namespace_options: { network: hostNetwork ? 'NODE' : 'POD', pid: 'CONTAINER', ipc: 'POD' },
          ...(hostNetwork ? {} : { supplemental_groups: ['4000'] }),
          ...security,
        },
      },
      ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'mounts')),
    },
  });
  if (hostNetwork) return [base('host', 'golden-nopath', { command: SLEEP }, { seccomp: { profile_type: 'RuntimeDefault' } })];
  return [
    base(
      'entry',
      'golden-entry',
      {
        args: ['echo from-args; exec sleep 3600'],
        envs: [
          { key: 'GREETING', value: Buffer.from('hi') },
          { key: 'MESSAGE', value: Buffer.from('hi there') },
        ],
        mounts: [{ container_path: '/data', host_path: dataDir, propagation: 'PROPAGATION_PRIVATE' }],
      },
      {
        readonly_rootfs: true,
        no_new_privs: true,
        capabilities: { add_capabilities: ['NET_ADMIN'], drop_capabilities: ['CHOWN'] },
        seccomp: { profile_type: 'Localhost', localhost_ref: profile },
      },
    ),
    base(
      'runas',
      'golden-nopath',
      { command: SLEEP, envs: [{ key: 'PATH', value: Buffer.from('/opt/bin:/bin') }] },
      { run_as_user: { value: '1234' }, run_as_group: { value: '3000' }, seccomp: { profile_type: 'RuntimeDefault' } },
    ),
    base('defaults', 'golden-entry', {}, {}),
  ];
}

interface Ids {
  readonly sandboxId: string;
  readonly podUid: string;
  readonly containers: ReadonlyMap<string, string>;
}

/** The spec with the EXCEPTIONS replaced by placeholders, as JSON the two fronts' copies can be compared in. */
function normalize(spec: Message, ids: Ids, containerId: string | undefined): Message {
  let text = JSON.stringify(spec);
  const subs: Record<keyof typeof EXCEPTIONS.substituted, string | RegExp | undefined> = {
    containerId,
    sandboxId: ids.sandboxId,
    podUid: ids.podUid,
    pausePid: /\/proc\/[0-9]+\/ns\//g,
  };
  for (const [what, value] of Object.entries(subs)) {
    if (typeof value === 'string') text = text.split(value).join(`<${what}>`);
    else if (value !== undefined) text = text.replace(value, `/proc/<${what}>/ns/`);
  }
  const out = JSON.parse(text) as Message;
  for (const m of (out['mounts'] as Message[] | undefined) ?? []) {
    if (m['destination'] === '/dev/termination-log') m['source'] = `<${Object.keys(EXCEPTIONS.blanked)[0] ?? ''}>`;
  }
  return out;
}

interface SandboxItem {
  id: string;
  metadata: { name: string; namespace: string; uid: string };
}

interface ContainerItem {
  id: string;
  pod_sandbox_id: string;
  metadata: { name: string };
}

test('the CLI front and the CRI front give the runtime the same request: identical OCI specs', { timeout: 300_000 }, async (t) => {
  const cri = await startCriTest(t);
  const { client, roots } = cri;
  const env = roots.env();
  const layout = join(roots.dir, 'golden-images');
  await writeLayout(layout, await busyboxLayout(roots));
  const loaded = await runCli(env, ['load', '-i', layout]);
  assert.equal(loaded.code, 0, loaded.stderr);
  const dataDir = join(roots.dir, 'golden-data');
  await mkdir(dataDir, { recursive: true });
  const seccompRoot = join(roots.config.root, 'seccomp');
  await mkdir(join(seccompRoot, 'profiles'), { recursive: true });
  await writeFile(join(seccompRoot, 'profiles', 'golden.json'), JSON.stringify(PROFILE));
  const terminationLog = join(roots.dir, 'termination-log');
  await writeFile(terminationLog, '');

  // The CLI front.
  const manifest = join(roots.dir, 'golden.yaml');
  await writeFile(manifest, manifests(dataDir));
  const applied = await runCli(env, ['apply', '-f', manifest]);
  assert.equal(applied.code, 0, applied.stderr);

  // The CRI front: what a kubelet sends for the same pods.
  const criIds = new Map<string, Ids>();
  for (const [name, hostNetwork] of [
    ['golden', false],
    ['golden-host', true],
  ] as const) {
    const uid = `${name}-cri-uid`;
    const sandbox = criSandbox(name, uid, join(roots.dir, 'logs'), hostNetwork);
    const { pod_sandbox_id: sandboxId } = await client.runtime<{ pod_sandbox_id: string }>('RunPodSandbox', { config: sandbox });
    const containers = new Map<string, string>();
    for (const c of criContainers(dataDir, join(seccompRoot, 'profiles', 'golden.json'), terminationLog, hostNetwork)) {
      const { container_id: id } = await client.runtime<{ container_id: string }>('CreateContainer', {
        pod_sandbox_id: sandboxId,
        config: c.config,
        sandbox_config: sandbox,
      });
      await client.runtime('StartContainer', { container_id: id });
      containers.set(c.name, id);
    }
    criIds.set(name, { sandboxId, podUid: uid, containers });
  }

  // The CLI pods' sandboxes and containers, once every container is created.
  const cliIds = new Map<string, Ids>();
  await waitFor(
    async () => {
      const sandboxes = await client.runtime<{ items: SandboxItem[] }>('ListPodSandbox', {});
      const all = await client.runtime<{ containers: ContainerItem[] }>('ListContainers', {});
      for (const name of ['golden', 'golden-host']) {
        const s = sandboxes.items.find((i) => i.metadata.name === name && i.metadata.namespace === 'default');
        if (!s) return false;
        const containers = new Map(all.containers.filter((c) => c.pod_sandbox_id === s.id).map((c) => [c.metadata.name, c.id]));
        cliIds.set(name, { sandboxId: s.id, podUid: s.metadata.uid, containers });
      }
      return cliIds.get('golden')?.containers.size === 3 && cliIds.get('golden-host')?.containers.size === 1;
    },
    { timeoutMs: 60_000, description: 'the applied pods to have their containers' },
  );

  const sandboxSpec = (id: string): Promise<Message> => readJson(join(roots.config.runRoot, 'sandboxes', id, 'config.json'));
  const containerSpec = (id: string): Promise<Message> => readJson(join(roots.config.root, 'containers', id, 'config.json'));
  for (const name of ['golden', 'golden-host']) {
    const cli = cliIds.get(name);
    const viaCri = criIds.get(name);
    assert.ok(cli && viaCri);
    assert.deepEqual(
      normalize(await sandboxSpec(cli.sandboxId), cli, undefined),
      normalize(await sandboxSpec(viaCri.sandboxId), viaCri, undefined),
      `${name}: the sandbox's spec`,
    );
    // The pause runs under RuntimeDefault in both pods, whatever their own profile.
    const pauseSeccomp = ((await sandboxSpec(cli.sandboxId))['linux'] as { seccomp?: { defaultAction: string } }).seccomp;
    assert.equal(pauseSeccomp?.defaultAction, 'SCMP_ACT_ERRNO', `${name}: the pause's seccomp`);
    for (const [container, criId] of viaCri.containers) {
      const cliId = cli.containers.get(container);
      assert.ok(cliId, `${name}/${container} exists through peapod apply`);
      const fromCli = normalize(await containerSpec(cliId), cli, cliId);
      assert.deepEqual(fromCli, normalize(await containerSpec(criId), viaCri, criId), `${name}/${container}: the container's spec`);
      assertGolden(name, container, fromCli);
    }
  }

  await client.runtime('RemovePodSandbox', { pod_sandbox_id: criIds.get('golden')?.sandboxId });
  await client.runtime('RemovePodSandbox', { pod_sandbox_id: criIds.get('golden-host')?.sandboxId });
  const deleted = await runCli(env, ['delete', '-f', manifest, '--now']);
  assert.equal(deleted.code, 0, deleted.stderr);
  await cri.daemon.stop();
  await assertNoLeaks(roots.config);
});

/** Equal specs could still both be wrong: the parts this test is about, as containerd would write them. */
function assertGolden(pod: string, container: string, spec: Message): void {
  const process = spec['process'] as { args: string[]; env: string[]; cwd: string; user: Message; capabilities: { bounding: string[] } };
  const root = spec['root'] as { readonly: boolean };
  const linux = spec['linux'] as { seccomp?: { defaultAction: string; syscalls?: unknown[] }; sysctl?: Message };
  const what = `${pod}/${container}`;
  switch (container) {
    case 'entry':
      assert.deepEqual(process.args, ['/bin/sh', '-c', 'echo from-args; exec sleep 3600'], `${what}: ENTRYPOINT with args over CMD`);
      assert.deepEqual(process.env, ['PATH=/usr/bin:/bin', 'HOSTNAME=golden', 'FROM_IMAGE=entry', 'GREETING=hi', 'MESSAGE=hi there'], `${what}: env`);
      assert.equal(process.cwd, '/tmp', `${what}: the image's WORKDIR`);
      assert.deepEqual(process.user, { uid: 1000, gid: 1001, additionalGids: [10, 1001, 4000] }, `${what}: the image's USER app`);
      assert.equal(root.readonly, true);
      assert.ok(process.capabilities.bounding.includes('CAP_NET_ADMIN') && !process.capabilities.bounding.includes('CAP_CHOWN'), `${what}: capabilities`);
      assert.deepEqual(linux.seccomp?.defaultAction, 'SCMP_ACT_ALLOW', `${what}: the Localhost profile`);
      assert.deepEqual(linux.sysctl, { 'kernel.shm_rmid_forced': '1' }, `${what}: the pod's sysctls`);
      return;
    case 'runas':
      assert.deepEqual(process.args, SLEEP, `${what}: command replaces ENTRYPOINT and CMD`);
      assert.deepEqual(process.env, ['PATH=/opt/bin:/bin', 'HOSTNAME=golden', 'FROM_IMAGE=nopath'], `${what}: the pod's PATH over the default`);
      assert.deepEqual(process.user, { uid: 1234, gid: 3000, additionalGids: [3000, 4000] }, `${what}: runAsUser/runAsGroup`);
      assert.equal(linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO', `${what}: RuntimeDefault`);
      return;
    case 'defaults':
      assert.deepEqual(process.args, ['/bin/sh', '-c', 'echo from-cmd; exec sleep 3600'], `${what}: ENTRYPOINT+CMD`);
      assert.equal(linux.seccomp, undefined, `${what}: no profile is unconfined`);
      return;
    case 'host':
      assert.deepEqual(
        process.env,
        ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `HOSTNAME=${hostname()}`, 'FROM_IMAGE=nopath'],
        `${what}: default PATH, the node's hostname`,
      );
      assert.deepEqual(process.user, { uid: 1000, gid: 50, additionalGids: [10, 50] }, `${what}: the image's USER 1000:50`);
      assert.equal((spec as { hostname?: string }).hostname, undefined, `${what}: the node's UTS namespace`);
      assert.equal(linux.sysctl, undefined, `${what}: no sysctls in the node's network namespace`);
      assert.equal(linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO', `${what}: the pod's RuntimeDefault`);
      return;
    default:
      assert.fail(`unexpected container ${what}`);
  }
}
