// A pod's /dev/shm is shared by its containers, as the Kubernetes docs promise for POSIX shared memory
// ("containers in a pod ... can communicate using SystemV semaphores or POSIX shared memory") and
// containerd's sandbox /dev/shm provides: what one container writes there another reads; a container
// with its own volume at /dev/shm (the emptyDir-in-memory pattern) keeps it; a pod on the host's IPC
// shares the host's /dev/shm; another pod sees none of it; and nothing is left once the pods are gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';

const SLEEP = `["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]`;
const container = (name: string, extra = ''): string => `
    - name: ${name}
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ${SLEEP}${extra}`;

const MANIFEST = `
apiVersion: v1
kind: Pod
metadata: { name: shared }
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{ name: ram, emptyDir: { medium: Memory } }]
  containers:${container('writer')}${container('reader')}${container('own', '\n      volumeMounts: [{ name: ram, mountPath: /dev/shm }]')}
---
apiVersion: v1
kind: Pod
metadata: { name: other }
spec:
  terminationGracePeriodSeconds: 1
  containers:${container('c')}
---
apiVersion: v1
kind: Pod
metadata: { name: hostipc }
spec:
  terminationGracePeriodSeconds: 1
  hostIPC: true
  containers:${container('c')}
`;

interface PodJson {
  status: { containerStatuses?: { state: { running?: unknown } }[] };
}

test("a pod's containers share its /dev/shm; a volume there, another pod and the host's IPC are each their own", { timeout: 120_000 }, async (t) => {
  const podTest = await startPodTest(t);
  const { roots, env, daemon } = podTest;
  const hostFile = `peapod-shm-test-${randomBytes(4).toString('hex')}`;
  t.after(() => rm(join('/dev/shm', hostFile), { force: true }));
  await writeFile(join('/dev/shm', hostFile), 'from the host');
  await podTest.apply('pods.yaml', MANIFEST);
  for (const name of ['shared', 'other', 'hostipc']) {
    await waitFor(async () => (await podTest.pod<PodJson>(name))?.status.containerStatuses?.every((s) => s.state.running !== undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
      description: `${name} to run`,
    });
  }
  const exec = async (name: string, c: string, script: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    runCli(env, ['exec', name, '-c', c, '--', 'sh', '-c', script]);

  const wrote = await exec('shared', 'writer', 'echo hello > /dev/shm/note && stat -c %a /dev/shm');
  assert.equal(wrote.code, 0, wrote.stderr);
  assert.equal(wrote.stdout.trim(), '1777', "the pod's /dev/shm is open to every user, as a tmpfs at /dev/shm is");
  const read = await exec('shared', 'reader', 'cat /dev/shm/note');
  assert.equal(read.code, 0, read.stderr);
  assert.equal(read.stdout.trim(), 'hello', 'the other container sees the file');
  // Data only, 64 MiB: no executing from it.
  const opts = await exec('shared', 'reader', "grep ' /dev/shm ' /proc/self/mounts");
  assert.match(opts.stdout, /\bnoexec\b/);
  assert.match(opts.stdout, /size=65536k/);
  assert.notEqual((await exec('shared', 'own', 'cat /dev/shm/note')).code, 0, 'a volume at /dev/shm replaces the pod one');
  assert.notEqual((await exec('other', 'c', 'cat /dev/shm/note')).code, 0, "another pod's /dev/shm is its own");
  const host = await exec('hostipc', 'c', `cat /dev/shm/${hostFile}`);
  assert.equal(host.stdout.trim(), 'from the host', "the host's IPC is the host's /dev/shm");
  assert.equal(await readFile(join('/dev/shm', hostFile), 'utf8'), 'from the host');

  for (const name of ['shared', 'other', 'hostipc']) {
    const deleted = await runCli(env, ['delete', 'pod', name]);
    assert.equal(deleted.code, 0, deleted.stderr);
  }
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
