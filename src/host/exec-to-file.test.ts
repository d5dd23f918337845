import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runToFile } from './exec.js';
import { isAlive } from './proc.js';

test('runToFile: both streams appended to the file, the run’s own part returned; a child holding them does not hold the call', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'peapod-exec-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'out.log');
  await writeFile(file, 'earlier\n');
  // The grandchild keeps stdout and stderr for 30 s; with pipes the call would wait for it.
  const r = await runToFile('sh', ['-c', 'sleep 30 & echo "child $!"; echo oops >&2; exit 3'], file, { timeoutMs: 10_000 });
  assert.equal(r.code, 3);
  assert.equal(r.stdout, '');
  assert.doesNotMatch(r.stderr, /earlier/, 'only what this run wrote');
  assert.match(r.stderr, /oops/);
  const pid = Number(/child (\d+)/.exec(r.stderr)?.[1]);
  assert.equal(await isAlive(pid), true, 'returned while the child still held the file');
  process.kill(pid, 'SIGKILL');
  assert.match(await readFile(file, 'utf8'), /^earlier\nchild \d+\noops\n$/);
});

test('runToFile: a missing program is a FailedPrecondition naming it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'peapod-exec-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await assert.rejects(runToFile('/no/such/program', [], join(dir, 'out.log')), /\/no\/such\/program: not found/);
});
