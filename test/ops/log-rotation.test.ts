// Container log rotation for peapod's own pods, end to end: a container writes numbered lines as fast
// as busybox's shell can for several seconds against a 1 MiB × 3 limit; `logs -f` must see every line
// once and in order across the rotations, and the log directory must stay bounded while it runs.
// Deleting the pod removes its log directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, stat, access } from 'node:fs/promises';
import { join } from 'node:path';
import { paths } from '../../src/common/config.js';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';
import { PEAPOD_BIN } from '../helpers/cli.js';

// scripts/log-soak.sh runs this for 10 minutes at the kubelet's defaults (10 MiB × 5).
const SOAK = process.env['PEAPOD_LOG_SOAK_SECONDS'];
const MAX_SIZE = SOAK ? 10 * 1024 * 1024 : 1024 * 1024;
const MAX_FILES = SOAK ? 5 : 3;
const WRITE_SECONDS = SOAK ? Number(SOAK) : 8;

/** Numbered lines, 1000 per clock check, for WRITE_SECONDS; then "done <count>". */
const WRITER = `sleep 2; i=0; end=$(( $(date +%s) + ${WRITE_SECONDS} )); while [ $(date +%s) -lt $end ]; do j=0; while [ $j -lt 1000 ]; do echo $i; i=$((i+1)); j=$((j+1)); done; done; echo done $i`;

async function dirBytes(dir: string): Promise<{ bytes: number; files: number }> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let bytes = 0;
  let files = 0;
  for (const name of names) {
    if (name.endsWith('.tmp')) continue; // conmon's file being swapped in, for a moment
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (!s) continue;
    bytes += s.size;
    files++;
  }
  return { bytes, files };
}

test('logs rotate at maxSize × maxFiles, logs -f follows every line, delete removes the pod logs', { timeout: 120_000 + WRITE_SECONDS * 2000 }, async (t) => {
  const frame = await startPodTest(t, { containerLogMaxSize: MAX_SIZE, containerLogMaxFiles: MAX_FILES });
  const { roots, env, daemon } = frame;
  await frame.apply(
    'fast.yaml',
    `apiVersion: v1\nkind: Pod\nmetadata: {name: fast}\nspec:\n  restartPolicy: Never\n  containers: [{name: w, image: busybox, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "${WRITER}"]}]\n`,
  );
  const uid = await waitFor(async () => (await frame.pod<{ metadata: { uid: string }; status: { phase: string } }>('fast'))?.metadata.uid, {
    timeoutMs: 20_000,
    description: 'the pod record',
  });
  const logDir = join(paths(roots.config).logs, `default_fast_${uid}`);
  const containerDir = join(logDir, 'w');
  await waitFor(async () => (await frame.pod<{ status: { phase: string } }>('fast'))?.status.phase === 'Running', {
    timeoutMs: 20_000,
    description: 'the pod to run',
  });

  const follower = spawn(process.execPath, [PEAPOD_BIN, 'logs', '-f', 'fast'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => follower.kill('SIGKILL'));
  // Checked as it streams (a 10-minute soak is too much text to keep): every line the next number.
  let expected = 0;
  let partial = '';
  let last = '';
  let wrong: string | undefined;
  follower.stdout.on('data', (d: Buffer) => {
    const parts = (partial + d.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line === String(expected)) expected++;
      else if (/^done \d+$/.test(line) && last === '') last = line;
      else wrong ??= `after ${expected} lines: ${JSON.stringify(line)}`;
    }
  });
  let errors = '';
  follower.stderr.on('data', (d: Buffer) => (errors += d.toString()));
  const ended = new Promise<number | null>((resolve) => follower.on('exit', (code) => resolve(code)));

  let maxBytes = 0;
  let maxFiles = 0;
  let samples = 0;
  let exited = false;
  void ended.then(() => (exited = true));
  const deadline = Date.now() + 60_000 + WRITE_SECONDS * 1000;
  while (!exited && Date.now() < deadline) {
    const usage = await dirBytes(containerDir);
    maxBytes = Math.max(maxBytes, usage.bytes);
    maxFiles = Math.max(maxFiles, usage.files);
    samples++;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(await ended, 0, `logs -f ends with the container: ${errors}`);
  assert.equal(partial, '');
  assert.equal(wrong, undefined);
  const count = Number(/^done (\d+)$/.exec(last)?.[1]);
  assert.ok(count > 0, `the writer's last line: ${last}`);
  assert.equal(expected, count, `logs -f saw ${expected} of ${count} lines`);
  const written = count * 40; // ~40 bytes of CRI framing and number per line
  t.diagnostic(
    `${count} lines (~${(written / 1e6).toFixed(1)} MB of CRI log) in ${WRITE_SECONDS} s; on disk at most ${maxBytes} bytes in ${maxFiles} files (${samples} samples)`,
  );
  assert.ok(written > 3 * MAX_FILES * MAX_SIZE, `the writer must outrun the limit many times over to prove anything (wrote ~${written} bytes)`);
  assert.ok(maxFiles <= MAX_FILES, `at most ${MAX_FILES} files, saw ${maxFiles}`);
  // Between two checks (10-100 ms apart, at the writer's pace) and while conmon switches files, a writer
  // this fast adds to the live file; on a loaded 2-CPU host that is up to a MB or so, so the peak is
  // held to twice the budget while the settled state must be within the budget itself.
  assert.ok(maxBytes <= 2 * MAX_FILES * MAX_SIZE, `the peak stays near ${MAX_FILES} × ${MAX_SIZE} bytes, saw ${maxBytes}`);
  const settled = await dirBytes(containerDir);
  assert.ok(settled.bytes <= MAX_FILES * MAX_SIZE + MAX_SIZE, `settled at ${settled.bytes} bytes in ${settled.files} files`);
  const plain = await runCli(env, ['logs', 'fast', '--tail', '1']);
  assert.equal(plain.stdout, `${last}\n`, 'logs reads the live file after rotations');

  assert.equal((await runCli(env, ['delete', 'pod', 'fast', '--now'])).code, 0);
  await assert.rejects(access(logDir), 'the pod log directory goes with the pod');
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
