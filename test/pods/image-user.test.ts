// The image-user rules are one rule for both fronts: the same table of images (USER "", numeric, unknown,
// named, user:group, with /etc/passwd a link out of the rootfs) and security contexts runs as one pod
// through `peapod apply` and as one sandbox through the CRI, on one daemon. Each container prints
// `id -u`, `id -g`, `id -G`; both fronts must print what containerd gives (the expected values below are
// containerd's rules worked by hand: WithUser/WithUserID/WithUsername, WithAdditionalGIDs with
// ensureAdditionalGids, and the CRI's sorted mergeGids), and write the same process.user to config.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { busyboxLayout } from '../helpers/daemon.js';
import { buildLayer } from '../image/helpers/build.js';
import { writeDerivedImages } from '../helpers/derived-images.js';
import type { Message } from '../cri/client.js';
import { sandboxConfig, startCriTest } from '../cri/harness.js';

const PASSWD = ['root:x:0:0:root:/root:/bin/sh', 'app:x:1000:1001::/home/app:/bin/sh', 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false', ''].join('\n');
const GROUP = ['root:x:0:', 'wheel:x:10:root,app', 'staff:x:50:', 'app:x:1001:app', 'audio:x:29:app,other', 'nogroup:x:65534:', ''].join('\n');
/** Where the link images' /etc/passwd points: a file that exists on the host too, without this user. */
const LINK_TARGET = 'usr/lib/os-release';
const LINKED_PASSWD = 'app:x:4242:4343::/:/bin/sh\n';
/** On this host uid 1000 exists with gid 1000: reading the host's passwd would give gid 1000, not 0. */
const PROC_LINK = '/proc/self/root/etc/passwd';

interface Expected {
  readonly uid: number;
  readonly gid: number;
  /** process.user.additionalGids: the primary group, /etc/group memberships and supplemental groups, sorted. */
  readonly groups: readonly number[];
}

interface Case {
  readonly name: string;
  readonly image: string;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly supplementalGroups?: readonly number[];
  readonly expected: Expected;
}

const CASES: readonly Case[] = [
  // No USER: root, and root is a member of wheel.
  { name: 'no-user', image: 'user-empty', expected: { uid: 0, gid: 0, groups: [0, 10] } },
  // A numeric user in /etc/passwd takes its primary group from there (1001), not its uid and not 0.
  { name: 'numeric', image: 'user-1000', expected: { uid: 1000, gid: 1001, groups: [10, 29, 1001] } },
  // A numeric user the image does not know: gid 0.
  { name: 'unknown', image: 'user-1234', expected: { uid: 1234, gid: 0, groups: [0] } },
  { name: 'named', image: 'user-nobody', expected: { uid: 65534, gid: 65534, groups: [65534] } },
  { name: 'user-group', image: 'user-app-audio', expected: { uid: 1000, gid: 29, groups: [10, 29] } },
  { name: 'numeric-pair', image: 'user-1000-50', expected: { uid: 1000, gid: 50, groups: [10, 29, 50] } },
  // runAsUser replaces the image's user; its primary group still comes from the image's /etc/passwd.
  { name: 'run-as-user', image: 'user-nobody', runAsUser: 1000, expected: { uid: 1000, gid: 1001, groups: [10, 29, 1001] } },
  { name: 'run-as-group', image: 'user-empty', runAsUser: 1234, runAsGroup: 3000, expected: { uid: 1234, gid: 3000, groups: [3000] } },
  {
    name: 'supplemental',
    image: 'user-empty',
    runAsUser: 1000,
    supplementalGroups: [4000, 5],
    expected: { uid: 1000, gid: 1001, groups: [5, 10, 29, 1001, 4000] },
  },
  // /etc/passwd links out of the rootfs: resolved inside the rootfs, as the container would see it (the
  // /etc/group there makes app a member of wheel and audio).
  { name: 'link-absolute', image: 'link-absolute', expected: { uid: 4242, gid: 4343, groups: [10, 29, 4343] } },
  { name: 'link-relative', image: 'link-relative', expected: { uid: 4242, gid: 4343, groups: [10, 29, 4343] } },
  { name: 'link-proc', image: 'link-proc', expected: { uid: 1000, gid: 0, groups: [0] } },
];

/** The image's USER and the files its top layer adds over busybox. */
const IMAGES: Readonly<Record<string, { user: string; passwd: 'db' | { link: string } }>> = {
  'user-empty': { user: '', passwd: 'db' },
  'user-1000': { user: '1000', passwd: 'db' },
  'user-1234': { user: '1234', passwd: 'db' },
  'user-nobody': { user: 'nobody', passwd: 'db' },
  'user-app-audio': { user: 'app:audio', passwd: 'db' },
  'user-1000-50': { user: '1000:50', passwd: 'db' },
  'link-absolute': { user: 'app', passwd: { link: `/${LINK_TARGET}` } },
  // Relative, through a link to "/": followed from the host's view of the rootfs it would reach the host's root.
  'link-relative': { user: 'app', passwd: { link: `../hostroot/${LINK_TARGET}` } },
  'link-proc': { user: '1000', passwd: { link: PROC_LINK } },
};

const imageRef = (name: string): string => `localhost/${name}:latest`;

/** `id -G` as busybox prints it: the gid, then the supplementary groups other than the gid. */
function idLine(e: Expected): string {
  return `ids ${e.uid} ${e.gid} ${[e.gid, ...e.groups.filter((g) => g !== e.gid)].join(' ')}`;
}

const PRINT_IDS = ['sh', '-c', `echo "ids $(id -u) $(id -g) $(id -G)"; trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done`];

interface Json {
  [key: string]: unknown;
}

async function readJson(path: string): Promise<Json> {
  return JSON.parse(await readFile(path, 'utf8')) as Json;
}

/** One OCI layout holding every test image: busybox's layer, a top layer with /etc files, a config with USER. */
async function writeTestLayout(dir: string, busybox: string): Promise<void> {
  const images = await Promise.all(
    Object.entries(IMAGES).map(async ([name, spec]) => ({
      ref: imageRef(name),
      layer: await buildLayer([
        { path: 'etc/', dir: true },
        { path: 'etc/group', content: GROUP },
        ...(spec.passwd === 'db' ? [{ path: 'etc/passwd', content: PASSWD }] : [{ path: 'etc/passwd', symlink: spec.passwd.link }]),
        { path: 'usr/', dir: true },
        { path: 'usr/lib/', dir: true },
        { path: LINK_TARGET, content: LINKED_PASSWD },
        { path: 'hostroot', symlink: '/' },
      ]),
      config: (base: Json): Json => ({ ...base, User: spec.user }),
    })),
  );
  await writeDerivedImages(dir, busybox, images);
}

function podManifest(): string {
  const containers = CASES.map((c) => {
    const sc = {
      ...(c.runAsUser !== undefined ? { runAsUser: c.runAsUser } : {}),
      ...(c.runAsGroup !== undefined ? { runAsGroup: c.runAsGroup } : {}),
    };
    return { name: c.name, image: imageRef(c.image), imagePullPolicy: 'Never', command: PRINT_IDS, securityContext: sc };
  });
  // supplementalGroups are pod-level in Kubernetes: the case that needs them gets a pod of its own.
  const plain = containers.filter((_, i) => CASES[i]?.supplementalGroups === undefined);
  const withGroups = CASES.filter((c) => c.supplementalGroups !== undefined);
  const pods = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'users' }, spec: { terminationGracePeriodSeconds: 1, containers: plain } },
    ...withGroups.map((c) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `users-${c.name}` },
      spec: {
        terminationGracePeriodSeconds: 1,
        securityContext: { supplementalGroups: c.supplementalGroups },
        containers: containers.filter((k) => k.name === c.name),
      },
    })),
  ];
  return pods.map((p) => JSON.stringify(p)).join('\n---\n');
}

/** As the kubelet sends it: run_as_user/run_as_group as Int64Value, supplemental groups in the context. */
function criContainer(c: Case): Message {
  return {
    metadata: { name: c.name, attempt: 0 },
    image: { image: imageRef(c.image) },
    command: PRINT_IDS,
    log_path: `${c.name}/0.log`,
    linux: {
      security_context: {
        namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' },
        ...(c.runAsUser !== undefined ? { run_as_user: { value: String(c.runAsUser) } } : {}),
        ...(c.runAsGroup !== undefined ? { run_as_group: { value: String(c.runAsGroup) } } : {}),
        supplemental_groups: (c.supplementalGroups ?? []).map(String),
      },
    },
  };
}

/** The "ids …" line of a CRI log file (`<time> stdout F ids …`), once it is there. */
async function criIds(logFile: string): Promise<string> {
  let line = '';
  await waitFor(
    async () => {
      const text = await readFile(logFile, 'utf8').catch(() => '');
      line =
        text
          .split('\n')
          .map((l) => l.split(' ').slice(3).join(' '))
          .find((l) => l.startsWith('ids ')) ?? '';
      return line !== '';
    },
    { timeoutMs: 30_000, description: `an ids line in ${logFile}` },
  );
  return line;
}

async function cliIds(env: NodeJS.ProcessEnv, pod: string, container: string): Promise<string> {
  let line = '';
  await waitFor(
    async () => {
      const r = await runCli(env, ['logs', pod, '-c', container]);
      line = r.code === 0 ? (r.stdout.split('\n').find((l) => l.startsWith('ids ')) ?? '') : '';
      return line !== '';
    },
    { timeoutMs: 60_000, description: `an ids line in the logs of ${pod}/${container}` },
  );
  return line;
}

interface ContainerItem {
  id: string;
  pod_sandbox_id: string;
  metadata: { name: string };
}

test('image users: the CLI front and the CRI front give what containerd gives', { timeout: 300_000 }, async (t) => {
  const cri = await startCriTest(t);
  const { client, roots } = cri;
  const env = roots.env();
  const layout = join(roots.dir, 'user-images');
  await writeTestLayout(layout, await busyboxLayout(roots));
  const loaded = await runCli(env, ['load', '-i', layout]);
  assert.equal(loaded.code, 0, loaded.stderr);

  // The CLI front: `peapod apply`.
  const manifest = join(roots.dir, 'users.yaml');
  await writeFile(manifest, podManifest());
  const applied = await runCli(env, ['apply', '-f', manifest]);
  assert.equal(applied.code, 0, applied.stderr);

  // The CRI front: one sandbox, a container per case, as a kubelet would create them.
  const sandbox = sandboxConfig(roots, 'users-cri');
  const { pod_sandbox_id: podId } = await client.runtime<{ pod_sandbox_id: string }>('RunPodSandbox', { config: sandbox });
  const criIdsByName = new Map<string, string>();
  for (const c of CASES) {
    const { container_id: id } = await client.runtime<{ container_id: string }>('CreateContainer', {
      pod_sandbox_id: podId,
      config: criContainer(c),
      sandbox_config: sandbox,
    });
    await client.runtime('StartContainer', { container_id: id });
    criIdsByName.set(c.name, id);
  }

  const cliSandbox = (c: Case): string => (c.supplementalGroups === undefined ? 'users' : `users-${c.name}`);
  const logDirectory = String(sandbox['log_directory']);
  for (const c of CASES) {
    const want = idLine(c.expected);
    assert.equal(await criIds(join(logDirectory, c.name, '0.log')), want, `${c.name} through the CRI`);
    assert.equal(await cliIds(env, cliSandbox(c), c.name), want, `${c.name} through peapod apply`);
  }

  // config.json's process.user: containerd's, and the same from both fronts.
  const all = await client.runtime<{ containers: ContainerItem[] }>('ListContainers', {});
  const sandboxes = await client.runtime<{ items: { id: string; metadata: { name: string } }[] }>('ListPodSandbox', {});
  const userOf = async (id: string): Promise<unknown> =>
    ((await readJson(join(roots.config.root, 'containers', id, 'config.json')))['process'] as Json)['user'];
  for (const c of CASES) {
    const cliPodId = sandboxes.items.find((s) => s.metadata.name === cliSandbox(c))?.id;
    const cliContainer = all.containers.find((k) => k.pod_sandbox_id === cliPodId && k.metadata.name === c.name);
    assert.ok(cliContainer, `the CLI container ${c.name} is listed`);
    const criUser = await userOf(criIdsByName.get(c.name) ?? '');
    assert.deepEqual(criUser, { uid: c.expected.uid, gid: c.expected.gid, additionalGids: c.expected.groups }, `${c.name}: process.user through the CRI`);
    assert.deepEqual(await userOf(cliContainer.id), criUser, `${c.name}: process.user through peapod apply`);
  }

  await client.runtime('StopPodSandbox', { pod_sandbox_id: podId });
  await client.runtime('RemovePodSandbox', { pod_sandbox_id: podId });
  const deleted = await runCli(env, ['delete', '-f', manifest, '--now']);
  assert.equal(deleted.code, 0, deleted.stderr);
  await cri.daemon.stop();
  await assertNoLeaks(roots.config);
});
