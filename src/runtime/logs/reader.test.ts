import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { readLog } from './reader.js';

const entry = (n: number): string => `2026-01-01T00:00:00.000000000Z stdout F ${n}\n`;
const entries = (from: number, to: number): string => Array.from({ length: to - from }, (_, i) => entry(from + i)).join('');

test('a follower reads across rotations, a skipped one included, each line once and in order', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'peapod-reader-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, '0.log');
  writeFileSync(path, entries(0, 10));
  let out = '';
  let done = false;
  const controller = new AbortController();
  const reading = readLog(path, (text) => (out += text), { timestamps: false, follow: true, signal: controller.signal, isDone: () => done });
  await delay(50);
  // One rotation, then two in a row within one tick: the middle file is never the live one when the
  // follower looks, and must still be read, between the file it had open and the newest.
  appendFileSync(path, entries(10, 20));
  renameSync(path, `${path}.20260101-000000.001`);
  writeFileSync(path, entries(20, 30));
  await delay(400);
  appendFileSync(path, entries(30, 35));
  renameSync(path, `${path}.20260101-000000.002`);
  writeFileSync(path, entries(35, 40));
  renameSync(path, `${path}.20260101-000000.003`);
  writeFileSync(path, entries(40, 50));
  await delay(400);
  done = true;
  await reading;
  assert.deepEqual(
    out.trim().split('\n').map(Number),
    Array.from({ length: 50 }, (_, i) => i),
  );
});

test('logs without follow read the rotated files, then the live one; a tail counts across them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'peapod-reader-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, '0.log');
  writeFileSync(`${path}.20260101-000000.001`, entries(0, 5));
  writeFileSync(`${path}.20260101-000000.002`, entries(5, 8));
  writeFileSync(path, '');
  let all = '';
  await readLog(path, (text) => (all += text), { timestamps: false, follow: false, signal: new AbortController().signal });
  assert.equal(all, '0\n1\n2\n3\n4\n5\n6\n7\n');
  let tail = '';
  await readLog(path, (text) => (tail += text), { timestamps: false, follow: false, signal: new AbortController().signal, tail: 4 });
  assert.equal(tail, '4\n5\n6\n7\n');
});
