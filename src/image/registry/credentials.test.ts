import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookupCredentials, removeCredentials, storeCredentials } from './credentials.js';

test('credentials: auth, username/password, identitytoken, docker hub keys, fallback file, 0600 writes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'peapod-creds-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const own = join(dir, 'auth.json');
  const fallback = join(dir, 'docker-config.json');
  await writeFile(
    fallback,
    JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hub:secret:with:colons').toString('base64') },
        'quay.io': { username: 'q', password: 'p' },
        'ghcr.io': { identitytoken: 'refresh' },
      },
      credsStore: 'desktop',
    }),
  );
  assert.deepEqual(await lookupCredentials('docker.io', own, fallback), { username: 'hub', password: 'secret:with:colons' });
  assert.deepEqual(await lookupCredentials('quay.io', own, fallback), { username: 'q', password: 'p' });
  assert.deepEqual(await lookupCredentials('ghcr.io', own, fallback), { identityToken: 'refresh' });
  assert.equal(await lookupCredentials('localhost:5000', own, fallback), undefined);

  await storeCredentials('localhost:5000', 'u', 'pw', own);
  assert.equal((await stat(own)).mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(await readFile(own, 'utf8')), { auths: { 'localhost:5000': { auth: Buffer.from('u:pw').toString('base64') } } });
  await storeCredentials('https://index.docker.io/v1/', 'mine', 'pw2', own);
  assert.deepEqual(await lookupCredentials('docker.io', own, fallback), { username: 'mine', password: 'pw2' }, 'our file wins over the fallback');
  assert.equal(await removeCredentials('localhost:5000', own), true);
  assert.equal(await removeCredentials('localhost:5000', own), false);
  assert.equal(await lookupCredentials('localhost:5000', own, fallback), undefined);

  await writeFile(own, JSON.stringify({ auths: { 'r.io': { auth: Buffer.from('nocolon').toString('base64') } } }));
  await assert.rejects(lookupCredentials('r.io', own, fallback), /not base64 of "user:password"/);
});
