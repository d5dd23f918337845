// The socket file exists with mode 0600 from its creation, under a permissive process umask, and the
// umask is back to what it was as soon as listen() returns (other files keep their modes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenOwnerOnly } from './unix-listen.js';

test('the socket is created 0600 (no chmod), and the umask is restored synchronously', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'unix-listen-'));
  const server = createServer();
  const before = process.umask(0);
  t.after(async () => {
    process.umask(before);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });
  const path = join(dir, 's.sock');
  const listening = listenOwnerOnly(server, path);
  // Synchronously after the call: the file exists already, with its final mode, and the umask is back.
  assert.equal(process.umask(0), 0);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  await listening;
  assert.ok((await stat(path)).isSocket());
});

test('a failed listen rejects and leaves the umask as it was', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'unix-listen-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const before = process.umask(0o022);
  t.after(() => void process.umask(before));
  await assert.rejects(listenOwnerOnly(createServer(), join(dir, 'missing', 's.sock')), /listen E[A-Z]+/);
  assert.equal(process.umask(0o022), 0o022);
});
