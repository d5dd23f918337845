// `apply --wait` on the two-container pod of the Kubernetes docs ("Communicate Between Containers in the
// Same Pod"): one container writes a page into a shared emptyDir and exits, the other serves it; with
// restartPolicy Never the writer stays Completed. The wait must end once both have started, whichever
// order they start and stop in: ten applies in a row, each quick; the times it reports are ordered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNoLeaks, runCli } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';

const TWO_CONTAINERS = `
apiVersion: v1
kind: Pod
metadata:
  name: two-containers
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  volumes:
    - name: shared-data
      emptyDir: {}
  containers:
    - name: nginx-container
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["httpd", "-f", "-p", "8080", "-h", "/usr/share/nginx/html"]
      volumeMounts: [{ name: shared-data, mountPath: /usr/share/nginx/html }]
    - name: debian-container
      image: busybox
      imagePullPolicy: IfNotPresent
      volumeMounts: [{ name: shared-data, mountPath: /pod-data }]
      command: ["/bin/sh"]
      args: ["-c", "echo Hello from the debian container > /pod-data/index.html"]
`;

const FAILING = `
apiVersion: v1
kind: Pod
metadata: { name: fails }
spec:
  restartPolicy: Never
  containers:
    - { name: c, image: busybox, imagePullPolicy: IfNotPresent, command: ["/no/such/program"] }
`;

const ROUNDS = 10;
/** Generous for a busy CI host; a lost wakeup waits the whole --timeout (30 s) instead. */
const QUICK_MS = 10_000;

interface Terminated {
  exitCode: number;
  reason?: string;
  startedAt?: string;
  finishedAt?: string;
}
interface PodJson {
  status: { phase: string; containerStatuses?: { name: string; state: { running?: unknown; terminated?: Terminated } }[] };
}

test(`apply --wait of the docs' two-container pod returns quickly, ${ROUNDS} times in a row`, { timeout: 600_000 }, async (t) => {
  const p = await startPodTest(t);
  const file = join(p.roots.dir, 'two-containers.yaml');
  await writeFile(file, TWO_CONTAINERS);
  for (let round = 0; round < ROUNDS; round++) {
    const started = Date.now();
    const r = await runCli(p.env, ['apply', '-f', file, '--wait', '--timeout', '30']);
    const ms = Date.now() - started;
    assert.equal(r.code, 0, `round ${round}: ${r.stderr}`);
    assert.ok(ms < QUICK_MS, `round ${round}: apply --wait took ${ms} ms`);
    const pod = await p.pod<PodJson>('two-containers');
    const server = pod?.status.containerStatuses?.find((c) => c.name === 'nginx-container');
    assert.ok(server?.state.running !== undefined || server?.state.terminated !== undefined, `round ${round}: the server has started`);
    const writer = await waitForWriter(p.pod.bind(p));
    assert.equal(writer.exitCode, 0);
    assert.ok(
      Date.parse(writer.startedAt ?? '') <= Date.parse(writer.finishedAt ?? ''),
      `round ${round}: startedAt ${writer.startedAt} ≤ finishedAt ${writer.finishedAt}`,
    );
    assert.equal((await runCli(p.env, ['delete', 'pod', 'two-containers'])).code, 0);
  }
  await p.daemon.stop();
  await assertNoLeaks(p.roots.config);
});

test('apply --wait of a pod whose container cannot start returns at once with the reason', { timeout: 120_000 }, async (t) => {
  const p = await startPodTest(t);
  const file = join(p.roots.dir, 'fails.yaml');
  await writeFile(file, FAILING);
  const started = Date.now();
  const r = await runCli(p.env, ['apply', '-f', file, '--wait', '--timeout', '60']);
  assert.notEqual(r.code, 0);
  assert.ok(Date.now() - started < QUICK_MS, `took ${Date.now() - started} ms`);
  assert.match(r.stderr, /pod fails failed: container c: CreateContainerError: .*no\/such\/program/);
  assert.equal((await runCli(p.env, ['delete', 'pod', 'fails'])).code, 0);
  await p.daemon.stop();
  await assertNoLeaks(p.roots.config);
});

async function waitForWriter(pod: <T>(name: string) => Promise<T | undefined>): Promise<Terminated> {
  const deadline = Date.now() + QUICK_MS;
  for (;;) {
    const status = (await pod<PodJson>('two-containers'))?.status.containerStatuses?.find((c) => c.name === 'debian-container');
    if (status?.state.terminated) return status.state.terminated;
    if (Date.now() > deadline) assert.fail(`the writer did not complete: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
