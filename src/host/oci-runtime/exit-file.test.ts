import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtemp, rm, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExitFile, readExitFile, waitForExitFile } from './exit-file.js';

const AT = new Date('2026-01-02T03:04:05.678Z');

test('exit file contents: code, 128+signal, -1', () => {
  assert.deepEqual(parseExitFile('3', AT), { exitCode: 3, finishedAt: '2026-01-02T03:04:05.678Z' });
  assert.deepEqual(parseExitFile('137', AT), { exitCode: 137, signal: 9, finishedAt: '2026-01-02T03:04:05.678Z' });
  assert.deepEqual(parseExitFile('-1', AT), { exitCode: -1, finishedAt: '2026-01-02T03:04:05.678Z' });
  assert.deepEqual(parseExitFile('255', AT), { exitCode: 255, finishedAt: '2026-01-02T03:04:05.678Z' });
  assert.throws(() => parseExitFile('', AT), /not an exit status/);
});

async function tmp(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'peapod-exit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('readExitFile: absent → undefined; mtime is the finish time', async (t) => {
  const dir = await tmp(t);
  assert.equal(await readExitFile(join(dir, 'x')), undefined);
  await writeFile(join(dir, 'x'), '0');
  const exit = await readExitFile(join(dir, 'x'));
  assert.equal(exit?.exitCode, 0);
  assert.ok(Math.abs(Date.parse(exit.finishedAt) - Date.now()) < 10_000);
});

test('waitForExitFile: settles on a file renamed into place (as conmon writes it), quickly', async (t) => {
  const dir = await tmp(t);
  const started = Date.now();
  setTimeout(() => void writeFile(join(dir, '.tmp'), '42').then(() => rename(join(dir, '.tmp'), join(dir, 'c1'))), 50);
  const exit = await waitForExitFile({ exitDir: dir, id: 'c1', timeoutMs: 5000 });
  assert.equal(exit.exitCode, 42);
  assert.ok(Date.now() - started < 240, `woken by the watch, not the poll (${Date.now() - started} ms)`);
});

test('waitForExitFile: an existing file, a timeout, an abort, and the fallback', async (t) => {
  const dir = await tmp(t);
  await writeFile(join(dir, 'done'), '1');
  assert.equal((await waitForExitFile({ exitDir: dir, id: 'done', timeoutMs: 1000 })).exitCode, 1);
  await assert.rejects(waitForExitFile({ exitDir: dir, id: 'never', timeoutMs: 100 }), { code: 'DeadlineExceeded' });
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error('stop waiting')), 50);
  await assert.rejects(waitForExitFile({ exitDir: dir, id: 'never', timeoutMs: 5000, signal: ac.signal }), /stop waiting/);
  let asked = 0;
  const fallback = (): Promise<{ exitCode: number; finishedAt: string } | undefined> =>
    Promise.resolve(++asked >= 2 ? { exitCode: 255, finishedAt: AT.toISOString() } : undefined);
  assert.equal((await waitForExitFile({ exitDir: dir, id: 'never', timeoutMs: 5000, fallback })).exitCode, 255);
  await assert.rejects(waitForExitFile({ exitDir: join(dir, 'no-such-dir'), id: 'x', timeoutMs: 300 }), { code: 'DeadlineExceeded' });
});
