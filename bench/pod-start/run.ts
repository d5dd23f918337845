// bench/pod-start: a 2-container busybox pod, image cached: `peapod apply --wait` until both containers
// run and `peapod delete` until everything is gone, side by side in one run with `podman kube play` and
// `podman kube down` of the same manifest (Debian's podman, runc, cgroupfs). Median of N each.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTestRoots } from '../../test/helpers/roots.js';
import { runCli } from '../../test/helpers/cli.js';
import { busyboxLayout, loadBusybox, startDaemon } from '../../test/helpers/daemon.js';
import { assertNoLeaks } from '../../test/helpers/leaks.js';
import { run, runUnchecked } from '../../src/host/exec.js';
import { median, timeIt, writeResults, markdownTable, type BenchRow } from '../stats.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 10);

const MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: bench
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: a
      image: docker.io/library/busybox:latest
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]
    - name: b
      image: docker.io/library/busybox:latest
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]
`;

const PODMAN_CONF = `[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`;

async function benchPeapod(dir: string): Promise<{ start: number[]; teardown: number[] }> {
  const roots = await makeTestRoots();
  const daemon = await startDaemon(roots);
  const env = roots.env();
  const manifest = join(dir, 'pod.yaml');
  await writeFile(manifest, MANIFEST);
  const start: number[] = [];
  const teardown: number[] = [];
  try {
    await loadBusybox(roots);
    for (let i = 0; i < RUNS + 1; i++) {
      const up = await timeIt(async () => {
        const r = await runCli(env, ['apply', '-f', manifest, '--wait']);
        if (r.code !== 0) throw new Error(r.stderr);
      });
      const down = await timeIt(async () => {
        const r = await runCli(env, ['delete', 'pod', 'bench']);
        if (r.code !== 0) throw new Error(r.stderr);
      });
      if (i > 0) {
        start.push(up);
        teardown.push(down);
      }
    }
    await daemon.stop();
    await assertNoLeaks(roots.config);
  } finally {
    await daemon.stop();
    await roots.cleanup();
  }
  return { start, teardown };
}

async function benchPodman(dir: string, layout: string): Promise<{ start: number[]; teardown: number[] } | undefined> {
  const conf = join(dir, 'containers.conf');
  await writeFile(conf, PODMAN_CONF);
  const env = { ...process.env, CONTAINERS_CONF: conf };
  const version = await runUnchecked('podman', ['--version'], { env }).catch(() => undefined);
  if (!version || version.code !== 0) return undefined;
  // podman names an oci: pull after its path; skopeo copies it into podman's store under the right name.
  await run('skopeo', ['copy', '-q', `oci:${layout}:latest`, 'containers-storage:docker.io/library/busybox:latest'], { env, timeoutMs: 120_000 });
  const manifest = join(dir, 'pod.yaml');
  await writeFile(manifest, MANIFEST);
  const start: number[] = [];
  const teardown: number[] = [];
  // A pod left by an interrupted earlier run would make `kube play` fail.
  await runUnchecked('podman', ['kube', 'down', manifest], { env, timeoutMs: 60_000 });
  for (let i = 0; i < RUNS + 1; i++) {
    const up = await timeIt(() => run('podman', ['kube', 'play', '--quiet', manifest], { env, timeoutMs: 60_000 }));
    const down = await timeIt(() => run('podman', ['kube', 'down', manifest], { env, timeoutMs: 60_000 }));
    if (i > 0) {
      start.push(up);
      teardown.push(down);
    }
  }
  return { start, teardown };
}

async function main(): Promise<void> {
  const scratch = await makeTestRoots();
  try {
    const layout = await busyboxLayout(scratch);
    const peapod = await benchPeapod(scratch.dir);
    const podman = await benchPodman(scratch.dir, layout);
    const rows: BenchRow[] = [
      { name: 'pod start (apply → 2 containers running)', unit: 'ms', value: median(peapod.start), reference: 'podman kube play', ...(podman ? { referenceValue: median(podman.start) } : {}), goal: '≤ 0.5× podman' },
      { name: 'pod teardown (delete → nothing left)', unit: 'ms', value: median(peapod.teardown), reference: 'podman kube down', ...(podman ? { referenceValue: median(podman.teardown) } : {}), goal: '≤ 0.5× podman' },
    ];
    process.stdout.write(markdownTable(rows));
    const file = await writeResults('pod-start', rows, { runs: RUNS, peapod, podman });
    process.stdout.write(`results: ${file}\n`);
  } finally {
    await scratch.cleanup();
  }
}

await main();
