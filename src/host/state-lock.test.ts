// The state lock on its own: a second taker is refused with the holder's PID, a release frees it, and a
// symlink planted as the lock file is not followed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireStateLock, parseHolderPid, STATE_LOCK_FILE, StateLockHeld } from './state-lock.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'state-lock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a second taker is refused with the holder PID until the holder releases', async (t) => {
  const dir = await tempDir(t);
  const lock = await acquireStateLock([join(dir, 'root'), join(dir, 'run')]);
  assert.equal(parseHolderPid(await readFile(join(dir, 'root', STATE_LOCK_FILE), 'utf8')), process.pid);
  // A new open file description conflicts even within the holding process: that is flock's semantics.
  await assert.rejects(
    acquireStateLock([join(dir, 'root')]),
    (err: unknown) => err instanceof StateLockHeld && err.holderPid === process.pid && err.message.includes(`pid ${process.pid}`),
  );
  await assert.rejects(acquireStateLock([join(dir, 'elsewhere'), join(dir, 'run')]), StateLockHeld);
  lock.release();
  lock.release();
  const again = await acquireStateLock([join(dir, 'root'), join(dir, 'run')]);
  again.release();
});

test('a refused taker holds nothing: its earlier locks are dropped', async (t) => {
  const dir = await tempDir(t);
  const run = await acquireStateLock([join(dir, 'run')]);
  await assert.rejects(acquireStateLock([join(dir, 'root'), join(dir, 'run')]), StateLockHeld);
  const root = await acquireStateLock([join(dir, 'root')]);
  root.release();
  run.release();
});

test('a symlink in place of the lock file is refused, not followed', async (t) => {
  const dir = await tempDir(t);
  await symlink(join(dir, 'target'), join(dir, STATE_LOCK_FILE));
  await assert.rejects(acquireStateLock([dir]), /ELOOP/);
});

test('flock missing is a clear error', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(acquireStateLock([dir], join(dir, 'no-flock')), /not found \(util-linux\)/);
});

test('parseHolderPid takes a positive integer only', () => {
  assert.equal(parseHolderPid('123\n'), 123);
  assert.equal(parseHolderPid(''), undefined);
  assert.equal(parseHolderPid('-1'), undefined);
  assert.equal(parseHolderPid('12x'), undefined);
});
