// Rotation with compression on: older rotated files are gzipped (all but the newest), the count and
// size bounds still hold, and `peapod logs` reads the gzipped files too, in order, with no gap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { paths } from '../../src/common/config.js';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';

const MAX_SIZE = 256 * 1024;
const MAX_FILES = 4;
const WRITER =
  'i=0; end=$(( $(date +%s) + 4 )); while [ $(date +%s) -lt $end ]; do j=0; while [ $j -lt 1000 ]; do echo $i; i=$((i+1)); j=$((j+1)); done; done; echo done $i';

test('compressed rotation: .gz files, bounded, and logs reads them back in order', { timeout: 90_000 }, async (t) => {
  const frame = await startPodTest(t, { containerLogMaxSize: MAX_SIZE, containerLogMaxFiles: MAX_FILES, containerLogCompress: true });
  const { roots, env, daemon } = frame;
  await frame.apply(
    'gz.yaml',
    `apiVersion: v1\nkind: Pod\nmetadata: {name: gz}\nspec:\n  restartPolicy: Never\n  containers: [{name: w, image: busybox, imagePullPolicy: IfNotPresent, command: ["sh", "-c", "${WRITER}"]}]\n`,
  );
  // Compression is watched while the writer runs: at the end the byte budget may have left only the newest
  // rotated file (a busy host rotates late and the renamed file overshoots), which stays plain by design.
  let compressedSeen = false;
  const pod = await waitFor(
    async () => {
      const p = await frame.pod<{ metadata: { uid: string }; status: { phase: string } }>('gz');
      if (p?.metadata.uid) {
        const names = await readdir(join(paths(roots.config).logs, `default_gz_${p.metadata.uid}`, 'w')).catch(() => []);
        if (names.some((n) => n.endsWith('.gz'))) compressedSeen = true;
      }
      return p?.status.phase === 'Succeeded' ? p : undefined;
    },
    { timeoutMs: 40_000, intervalMs: 50, description: 'the writer to finish' },
  );
  const dir = join(paths(roots.config).logs, `default_gz_${pod.metadata.uid}`, 'w');
  const names = (await readdir(dir)).sort();
  t.diagnostic(names.join(' '));
  assert.ok(names.length <= MAX_FILES, `at most ${MAX_FILES} files: ${names.join(' ')}`);
  const gz = names.filter((n) => n.endsWith('.gz'));
  assert.ok(compressedSeen || gz.length >= 1, 'older rotated files are compressed');
  assert.equal(names.filter((n) => /^0\.log\.\d{8}-\d{6}\.\d{3}$/.test(n)).length, 1, 'the newest rotated file stays plain');

  const logs = await runCli(env, ['logs', 'gz']);
  assert.equal(logs.code, 0, logs.stderr);
  const lines = logs.stdout.split('\n');
  assert.equal(lines.pop(), '');
  const done = Number(/^done (\d+)$/.exec(lines.pop() ?? '')?.[1]);
  const first = Number(lines[0]);
  assert.ok(first > 0, 'the oldest lines were rotated away');
  lines.forEach((line, i) => assert.equal(line, String(first + i)));
  assert.equal(first + lines.length, done, 'a contiguous run up to the last line');
  let plainLines = 0;
  for (const name of names.filter((n) => !n.endsWith('.gz'))) plainLines += (await readFile(join(dir, name), 'utf8')).split('\n').length - 1;
  if (gz.length > 0) assert.ok(lines.length + 1 > plainLines, 'the gzipped files were read too');

  assert.equal((await runCli(env, ['delete', 'pod', 'gz', '--now'])).code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
