// securityContext, OOMKilled and static pods on real containers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';

interface PodJson {
  status: {
    phase: string;
    containerStatuses?: {
      name: string;
      restartCount: number;
      state: { running?: unknown; waiting?: { reason?: string; message?: string }; terminated?: { exitCode: number; reason?: string } };
      lastState: { terminated?: { reason?: string } };
    }[];
  };
}

async function podJson(env: NodeJS.ProcessEnv, name: string): Promise<PodJson | undefined> {
  const r = await runCli(env, ['get', 'pod', name, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as PodJson) : undefined;
}

/** The Seccomp line of the pod's pause process, found through `describe` (its "pause pid"). */
async function pauseSeccomp(env: NodeJS.ProcessEnv, name: string): Promise<string> {
  const described = await runCli(env, ['describe', 'pod', name]);
  const pid = /pause pid (\d+)/.exec(described.stdout)?.[1];
  assert.ok(pid !== undefined, `describe names the pause of ${name}: ${described.stdout}`);
  return readFile(`/proc/${pid}/status`, 'utf8');
}

const SLEEP = `["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]`;

const MANIFEST = `
apiVersion: v1
kind: Pod
metadata: { name: secure }
spec:
  terminationGracePeriodSeconds: 1
  securityContext: { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000] }
  containers:
    - name: locked
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ${SLEEP}
      securityContext:
        readOnlyRootFilesystem: true
        allowPrivilegeEscalation: false
        capabilities: { drop: ["ALL"] }
        seccompProfile: { type: RuntimeDefault }
    - name: rooted
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ${SLEEP}
      securityContext: { runAsUser: 0, capabilities: { add: ["NET_ADMIN"] } }
---
apiVersion: v1
kind: Pod
metadata: { name: tuned }
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    fsGroup: 2000
    sysctls: [{ name: net.ipv4.ip_local_port_range, value: "40000 41000" }]
  volumes: [{ name: data, emptyDir: {} }]
  containers:
    - name: c
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ${SLEEP}
      volumeMounts: [{ name: data, mountPath: /data }]
      securityContext: { seccompProfile: { type: Localhost, localhostProfile: profiles/no-mkdir.json } }
---
apiVersion: v1
kind: Pod
metadata: { name: nonroot }
spec:
  securityContext: { runAsNonRoot: true }
  containers:
    - name: c
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ${SLEEP}
---
apiVersion: v1
kind: Pod
metadata: { name: hog }
spec:
  restartPolicy: Never
  containers:
    - name: hog
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]
      resources: { limits: { memory: 16Mi } }
`;

test('securityContext, runAsNonRoot, OOMKilled and static pods', { timeout: 150_000 }, async (t) => {
  const { roots, env, daemon } = await startPodTest(t);
  const file = join(roots.dir, 'pods.yaml');
  await writeFile(file, MANIFEST);
  const profiles = join(roots.config.root, 'seccomp', 'profiles');
  await mkdir(profiles, { recursive: true });
  await writeFile(
    join(profiles, 'no-mkdir.json'),
    JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] }),
  );
  assert.equal((await runCli(env, ['apply', '-f', file])).code, 0);

  await waitFor(async () => (await podJson(env, 'secure'))?.status.containerStatuses?.every((s) => s.state.running !== undefined), {
    timeoutMs: 30_000,
    intervalMs: 200,
    description: 'secure to run',
  });
  const id = await runCli(env, ['exec', 'secure', '-c', 'locked', '--', 'id']);
  assert.match(id.stdout, /uid=1000 gid=3000 groups=.*4000/);
  const write = await runCli(env, ['exec', 'secure', '-c', 'locked', '--', 'touch', '/newfile']);
  assert.notEqual(write.code, 0, 'read-only root filesystem');
  const status = await runCli(env, ['exec', 'secure', '-c', 'locked', '--', 'grep', '-E', '^(CapEff|NoNewPrivs|Seccomp):', '/proc/self/status']);
  assert.match(status.stdout, /CapEff:\s+0000000000000000/);
  assert.match(status.stdout, /NoNewPrivs:\s+1/);
  assert.match(status.stdout, /Seccomp:\s+2/);
  const rooted = await runCli(env, ['exec', 'secure', '-c', 'rooted', '--', 'grep', '^CapEff:', '/proc/self/status']);
  const capEff = BigInt(`0x${rooted.stdout.split(/\s+/)[1] ?? '0'}`);
  assert.ok((capEff & (1n << 12n)) !== 0n, 'CAP_NET_ADMIN added');
  // The pause runs under RuntimeDefault, as the kubelet asks for every sandbox (a pod-level profile is the app's).
  assert.match(await pauseSeccomp(env, 'secure'), /^Seccomp:\s+2$/m);

  // fsGroup owns the volume (setgid dir), namespaced sysctls apply, the Localhost seccomp profile loads.
  await waitFor(async () => (await podJson(env, 'tuned'))?.status.containerStatuses?.[0]?.state.running, {
    timeoutMs: 30_000,
    intervalMs: 200,
    description: 'tuned to run',
  });
  const owner = await runCli(env, ['exec', 'tuned', '--', 'stat', '-c', '%g %A', '/data']);
  assert.match(owner.stdout.trim(), /^2000 drwxrwsrwx$/);
  const range = await runCli(env, ['exec', 'tuned', '--', 'cat', '/proc/sys/net/ipv4/ip_local_port_range']);
  assert.match(range.stdout, /^40000\s+41000$/m);
  const mkdirDenied = await runCli(env, ['exec', 'tuned', '--', 'mkdir', '/tmp/x']);
  assert.notEqual(mkdirDenied.code, 0);
  assert.match(mkdirDenied.stderr + mkdirDenied.stdout, /Operation not permitted/);
  // A pod that names no profile: its pause is still under RuntimeDefault.
  assert.match(await pauseSeccomp(env, 'tuned'), /^Seccomp:\s+2$/m);

  // runAsNonRoot with an image that runs as root: refused with the kubelet's reason.
  const refused = await waitFor(async () => (await podJson(env, 'nonroot'))?.status.containerStatuses?.[0]?.state.waiting, {
    timeoutMs: 30_000,
    intervalMs: 200,
    description: 'nonroot to be refused',
  });
  assert.equal(refused.reason, 'CreateContainerConfigError');
  assert.match(refused.message ?? '', /runAsNonRoot and image will run as root/);

  // A container killed by its memory limit is OOMKilled, not Error.
  const oom = await waitFor(async () => (await podJson(env, 'hog'))?.status.containerStatuses?.[0]?.state.terminated, {
    timeoutMs: 30_000,
    intervalMs: 200,
    description: 'hog to be OOM-killed',
  });
  assert.equal(oom.reason, 'OOMKilled');
  assert.equal(oom.exitCode, 137);

  // Static pods: a file in the manifest directory becomes <name>-<hostname>; removing it deletes the pod.
  const staticFile = join(roots.config.manifestDir, 'static.yaml');
  await writeFile(
    staticFile,
    `apiVersion: v1\nkind: Pod\nmetadata: { name: web }\nspec:\n  terminationGracePeriodSeconds: 1\n  containers: [{ name: c, image: busybox, imagePullPolicy: IfNotPresent, command: ${SLEEP} }]\n`,
  );
  await writeFile(join(roots.config.manifestDir, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: [}\n');
  const staticName = `web-${hostname().toLowerCase()}`;
  await waitFor(async () => (await podJson(env, staticName))?.status.containerStatuses?.[0]?.state.running, {
    timeoutMs: 30_000,
    intervalMs: 200,
    description: 'the static pod to run',
  });
  const wide = await runCli(env, ['get', 'pods', '-o', 'wide']);
  assert.match(wide.stdout, new RegExp(`^${staticName}\\s.*\\sstatic$`, 'm'));
  // Changing the file replaces the pod (a new UID), as the kubelet does for static pods.
  const uidOf = async (): Promise<string | undefined> =>
    (JSON.parse((await runCli(env, ['get', 'pod', staticName, '-o', 'json'])).stdout || '{}') as { metadata?: { uid?: string } }).metadata?.uid;
  const firstUid = await uidOf();
  await writeFile(
    staticFile,
    `apiVersion: v1\nkind: Pod\nmetadata: { name: web, labels: { v: "2" } }\nspec:\n  terminationGracePeriodSeconds: 1\n  containers: [{ name: c, image: busybox, imagePullPolicy: IfNotPresent, command: ["sleep", "3600"] }]\n`,
  );
  await waitFor(
    async () => {
      const uid = await uidOf().catch(() => undefined);
      return uid !== undefined && uid !== firstUid;
    },
    { timeoutMs: 30_000, intervalMs: 200, description: 'the static pod to be replaced' },
  );
  await rm(staticFile);
  await waitFor(async () => (await podJson(env, staticName)) === undefined, {
    timeoutMs: 30_000,
    intervalMs: 200,
    description: 'the static pod to be deleted',
  });

  for (const name of ['secure', 'tuned', 'nonroot', 'hog']) assert.equal((await runCli(env, ['delete', 'pod', name])).code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
