// Leak soak: apply/delete cycles of a 2-container pod with an emptyDir, a hostPort and a memory limit.
// Afterwards the leak checker must find nothing and the daemon's RSS must not have grown beyond noise.
// CI runs a short form; SOAK_CYCLES=500 runs the full soak by hand (about five minutes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { startPodTest } from '../helpers/pod-test.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { runCli } from '../helpers/cli.js';

const CYCLES = Number(process.env['SOAK_CYCLES'] ?? 20);
/** Cycles before the baseline is taken: V8's heap and the daemon's caches grow to their working size first. */
const WARMUP = Math.max(3, Math.floor(CYCLES / 10));
/** Beyond this the daemon is keeping something per pod it should have dropped. */
const RSS_NOISE_MB = 10;

function manifest(hostPort: number): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: soak
spec:
  terminationGracePeriodSeconds: 1
  volumes:
    - name: shared
      emptyDir: {}
  containers:
    - name: web
      image: docker.io/library/busybox:latest
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "echo hi > /shared/index.html; trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]
      ports: [{ containerPort: 8080, hostPort: ${hostPort} }]
      resources: { limits: { memory: 64Mi } }
      volumeMounts: [{ name: shared, mountPath: /shared }]
    - name: side
      image: docker.io/library/busybox:latest
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]
      resources: { limits: { memory: 32Mi } }
      volumeMounts: [{ name: shared, mountPath: /shared }]
`;
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

test(`soak: ${CYCLES} apply/delete cycles leave nothing behind and do not grow the daemon`, { timeout: Math.max(10 * 60_000, CYCLES * 5_000) }, async (t) => {
  const p = await startPodTest(t);
  const file = join(p.roots.dir, 'soak.yaml');
  await writeFile(file, manifest(randomInt(20_000, 40_000)));
  const pid = p.daemon.child.pid ?? 0;
  const rss: number[] = [];
  for (let i = 0; i < CYCLES; i++) {
    const up = await runCli(p.env, ['apply', '-f', file, '--wait', '--timeout', '60']);
    assert.equal(up.code, 0, `cycle ${i}: apply: ${up.stderr}`);
    const down = await runCli(p.env, ['delete', 'pod', 'soak']);
    assert.equal(down.code, 0, `cycle ${i}: delete: ${down.stderr}`);
    rss.push(await rssMb(pid));
  }
  const baseline = median(rss.slice(WARMUP, WARMUP + Math.max(3, Math.floor(CYCLES / 10))));
  const end = median(rss.slice(-Math.max(3, Math.floor(CYCLES / 10))));
  t.diagnostic(`daemon RSS: ${rss[0]?.toFixed(1)} MB after the first cycle, ${baseline.toFixed(1)} MB after warm-up, ${end.toFixed(1)} MB at the end`);
  assert.ok(end - baseline <= RSS_NOISE_MB, `daemon RSS grew from ${baseline.toFixed(1)} to ${end.toFixed(1)} MB over ${CYCLES} cycles`);
  await p.daemon.stop();
  await assertNoLeaks(p.roots.config);
});
