import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCredentials } from './certs.js';

test('credentials: a CA that signed a 127.0.0.1 server certificate and a system:masters client certificate, root-only, made once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'peapod-kubeapi-certs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const target = join(dir, 'kubeapi');
  const made = await ensureCredentials(target);
  const ca = new X509Certificate(made.caCert);
  const server = new X509Certificate(made.serverCert);
  const client = new X509Certificate(made.clientCert);
  assert.equal(ca.ca, true);
  assert.equal(server.ca, false);
  assert.ok(server.verify(ca.publicKey) && server.checkIssued(ca));
  assert.ok(client.verify(ca.publicKey) && client.checkIssued(ca));
  assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(server.checkHost('localhost'), 'localhost');
  assert.match(client.subject, /CN=peapod-admin/);
  assert.match(client.subject, /O=system:masters/);
  assert.deepEqual(client.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.equal((await stat(target)).mode & 0o777, 0o700);
  for (const name of await readdir(target)) assert.equal((await stat(join(target, name))).mode & 0o777, 0o600, name);
  // A second start reads what the first made: kubeconfigs already handed out keep working.
  assert.deepEqual(await ensureCredentials(target), made);
});
