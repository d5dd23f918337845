// subPath and subPathExpr against a container that plants symlinks in a shared emptyDir (the
// CVE-2017-1002101 / CVE-2021-25741 class): a subPath that resolves out of its volume refuses the
// container with an error naming the mount, creates nothing on the host, and a symlink swapped in while
// the daemon opens and binds the subPath can never redirect the mount to the host; subPathExpr expands
// the container's env (downward API POD_NAME) into a per-pod directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';
import { makeTestRoots } from '../helpers/roots.js';
import { loadBusybox, startDaemon } from '../helpers/daemon.js';
import { listMounts } from '../../src/host/mount.js';

const SLEEP = `trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done`;
const REFUSED = ['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError'];
const RACE_WINDOW_MS = 20_000;

interface ContainerStatus {
  readonly name: string;
  readonly restartCount: number;
  readonly state: { running?: unknown; waiting?: { reason?: string; message?: string } };
}
interface PodJson {
  readonly metadata: { uid: string };
  readonly status: { containerStatuses?: ContainerStatus[] };
}

test(
  'subPath symlinks out of the volume are refused, naming the mount, and the host stays untouched; subPathExpr mounts a per-pod dir',
  { timeout: 120_000 },
  async (t) => {
    const podTest = await startPodTest(t);
    const { roots, env, daemon } = podTest;
    const etcVictim = `/etc/peapod-subpath-${randomBytes(6).toString('hex')}`;
    // Only ever there if the host was written through the planted link (the old code did): cleaned either way.
    t.after(async () => {
      await rmdir(join(etcVictim, 'x')).catch(() => undefined);
      await rmdir(etcVictim).catch(() => undefined);
    });
    await podTest.apply(
      'planted.yaml',
      `
apiVersion: v1
kind: Pod
metadata: { name: planted }
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{ name: shared, emptyDir: {} }]
  initContainers:
    - { name: plant, image: busybox, imagePullPolicy: IfNotPresent, command: [sh, -c, "ln -s / /shared/root && ln -s /etc /shared/etc && mkdir /shared/ok"], volumeMounts: [{ name: shared, mountPath: /shared }] }
  containers:
    - { name: to-root, image: busybox, imagePullPolicy: IfNotPresent, command: [sh, -c, "${SLEEP}"], volumeMounts: [{ name: shared, mountPath: /mnt, subPath: root }] }
    - { name: to-etc, image: busybox, imagePullPolicy: IfNotPresent, command: [sh, -c, "${SLEEP}"], volumeMounts: [{ name: shared, mountPath: /mnt, subPath: "etc${etcVictim.slice('/etc'.length)}/x" }] }
    - name: swapper
      image: busybox
      imagePullPolicy: IfNotPresent
      # Mounted while ok is a directory; swaps it for a symlink to / and exits, so its restart meets the symlink.
      command: [sh, -c, "rmdir /shared/ok && ln -s / /shared/ok && exit 1"]
      volumeMounts: [{ name: shared, mountPath: /shared }, { name: shared, mountPath: /mnt, subPath: ok }]
    - name: expr
      image: busybox
      imagePullPolicy: IfNotPresent
      command: [sh, -c, "echo hi > /mnt/hello && ${SLEEP}"]
      env: [{ name: POD_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }]
      volumeMounts: [{ name: shared, mountPath: /mnt, subPathExpr: "per-pod/$(POD_NAME)" }]
`,
    );
    const waiting = async (name: string): Promise<{ reason?: string; message?: string } | undefined> =>
      (await podTest.pod<PodJson>('planted'))?.status.containerStatuses?.find((s) => s.name === name)?.state.waiting;
    // Each check on its own, so each can fail on its own: a planted link to / and one to /etc.
    for (const [name, sub] of [
      ['to-root', 'root'],
      ['to-etc', 'etc/peapod-subpath-\\w+/x'],
    ] as const) {
      const refused = await waitFor(
        async () => {
          const w = await waiting(name);
          return w?.reason === 'CreateContainerConfigError' || w?.reason === 'CreateContainerError' ? w : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250, description: `${name} to be refused` },
      );
      await assert.rejects(stat(etcVictim), { code: 'ENOENT' }, 'nothing was created in the host /etc');
      assert.match(refused.message ?? '', new RegExp(`volumeMounts\\[0\\]\\.subPath: "${sub}" resolves outside its volume`), name);
    }
    // The swapper's restart meets the symlink; its status then alternates with CrashLoopBackOff, the event stays.
    await waitFor(async () => /volumeMounts\[1\]\.subPath: "ok" resolves outside its volume/.test((await runCli(env, ['describe', 'pod', 'planted'])).stdout), {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: "the swapper's restart to be refused",
    });
    // subPathExpr: $(POD_NAME) from the downward API env names a per-pod directory of the volume.
    const uid = (await podTest.pod<PodJson>('planted'))?.metadata.uid ?? '';
    const hello = join(roots.config.root, 'pods', uid, 'volumes', 'shared', 'per-pod', 'planted', 'hello');
    assert.equal(await waitFor(() => readFile(hello, 'utf8'), { timeoutMs: 30_000, intervalMs: 250, description: `${hello} from the expr container` }), 'hi\n');

    assert.equal((await runCli(env, ['delete', 'pod', 'planted'])).code, 0);
    await daemon.stop();
    await assertNoLeaks(roots.config);
  },
);

test('a symlink swapped in while the subPath is opened and bound never exposes the host', { timeout: 120_000 }, async (t) => {
  const podTest = await startPodTest(t);
  const { roots, env, daemon } = podTest;
  const marker = join(roots.dir, 'host-marker');
  await writeFile(marker, 'host');
  const victims = Array.from({ length: 8 }, (_, i) => `victim-${i}`);
  // The sidecar flips sub between a directory and a symlink to / as fast as it can while the victims start.
  await podTest.apply(
    'race.yaml',
    `
apiVersion: v1
kind: Pod
metadata: { name: race }
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{ name: shared, emptyDir: {} }]
  initContainers:
    - name: flipper
      image: busybox
      imagePullPolicy: IfNotPresent
      restartPolicy: Always
      command: [sh, -c, "cd /shared && while :; do mkdir sub; sleep 0.003; rmdir sub; ln -s / sub; sleep 0.003; rm sub; done 2>/dev/null"]
      volumeMounts: [{ name: shared, mountPath: /shared }]
  containers:
${victims.map((name) => `    - { name: ${name}, image: busybox, imagePullPolicy: IfNotPresent, command: [sh, -c, "if [ -e /mnt${marker} ]; then echo ESCAPED; else echo CONFINED; fi; ${SLEEP}"], volumeMounts: [{ name: shared, mountPath: /mnt, subPath: sub }] }`).join('\n')}
`,
  );
  // Refused victims are retried every 5 s: watch a bounded window, or until every victim runs.
  const ran = new Map<string, string>();
  const refusals: string[] = [];
  const deadline = Date.now() + RACE_WINDOW_MS;
  while (Date.now() < deadline && ran.size < victims.length) {
    const pod = await podTest.pod<PodJson>('race');
    for (const s of pod?.status.containerStatuses ?? []) {
      if (!victims.includes(s.name) || ran.has(s.name)) continue;
      if (s.state.running) {
        const logs = (await runCli(env, ['logs', 'race', '-c', s.name])).stdout.trim();
        if (logs !== '') ran.set(s.name, logs);
      } else if (REFUSED.includes(s.state.waiting?.reason ?? '')) refusals.push(`${s.name}: ${s.state.waiting?.message ?? ''}`);
    }
    await delay(200);
  }
  const report = `ran: ${JSON.stringify([...ran])}\nrefusals seen: ${refusals.length}\n${[...new Set(refusals.map((r) => r.replace(/^victim-\d+: /, '')))].join('\n')}`;
  t.diagnostic(report);
  assert.ok(![...ran.values()].some((v) => v.includes('ESCAPED')), `a subPath mount reached the host:\n${report}`);
  assert.ok(ran.size + refusals.length > 0, 'no victim got as far as a verdict');
  // Refused by the safe open (naming the mount), or by mount(2) because the directory bound was removed since.
  for (const r of refusals) assert.match(r, /volumeMounts\[0\]\.subPath: "sub"|volume-subpaths\/victim-\d\/0" to rootfs at "\/mnt".*no such file or directory/);

  assert.equal((await runCli(env, ['delete', 'pod', 'race'])).code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});

test('a staging bind left by a daemon killed right after making it is swept on restart, and the pod still runs', { timeout: 120_000 }, async (t) => {
  const roots = await makeTestRoots();
  const env = roots.env();
  let daemon = await startDaemon(roots, { PEAPOD_FAULT: 'volumes.bindExact.after' });
  t.after(async () => {
    await daemon.stop().catch(() => undefined);
    await roots.cleanup();
  });
  await loadBusybox(roots);
  const manifest = join(roots.dir, 'crash.yaml');
  await writeFile(
    manifest,
    `
apiVersion: v1
kind: Pod
metadata: { name: crash }
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{ name: shared, emptyDir: {} }]
  containers:
    - { name: c, image: busybox, imagePullPolicy: IfNotPresent, command: [sh, -c, "echo in-sub > /mnt/f; ${SLEEP}"], volumeMounts: [{ name: shared, mountPath: /mnt, subPath: part }] }
`,
  );
  assert.equal((await runCli(env, ['apply', '-f', manifest])).code, 0);
  await waitFor(() => daemon.child.exitCode !== null || daemon.child.signalCode !== null, {
    timeoutMs: 30_000,
    intervalMs: 100,
    description: 'the daemon to die at volumes.bindExact.after',
  });
  const staging = join(roots.config.root, 'pods');
  const stagingMounts = async (): Promise<string[]> => (await listMounts(staging)).map((m) => m.target).filter((p) => p.includes('/volume-subpaths/'));
  assert.equal((await stagingMounts()).length, 1, 'the crash left the staging bind behind');

  daemon = await startDaemon(roots);
  const uid = await waitFor(
    async () => {
      const r = await runCli(env, ['get', 'pod', 'crash', '-o', 'json']);
      const pod = r.code === 0 ? (JSON.parse(r.stdout) as PodJson) : undefined;
      return pod?.status.containerStatuses?.[0]?.state.running ? pod.metadata.uid : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, description: 'crash to run after the restart' },
  );
  assert.deepEqual(await stagingMounts(), [], 'no staging bind outlives the container create');
  assert.equal(
    await waitFor(() => readFile(join(staging, uid, 'volumes', 'shared', 'part', 'f'), 'utf8'), { timeoutMs: 10_000, description: 'the subPath file' }),
    'in-sub\n',
  );

  assert.equal((await runCli(env, ['delete', 'pod', 'crash'])).code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
