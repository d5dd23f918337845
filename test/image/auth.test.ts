// Registry authentication against a real docker-registry: htpasswd basic auth, and bearer tokens from a
// token server the test runs (RS256 JWTs, x5c chain checked against the registry's rootcertbundle).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createImageService } from '../../src/image/service.js';
import { hostPlatform } from '../../src/image/platform.js';
import { login, logout } from '../../src/image/registry/login.js';
import { PeapodError } from '../../src/common/errors.js';
import { run } from '../../src/host/exec.js';
import { buildImage, buildLayer } from './helpers/build.js';
import { pushImage } from './helpers/push.js';
import { registryFor, tempDir, testConfig } from './helpers/fixture.js';
import { TOKEN_ISSUER, TOKEN_SERVICE, startTokenServer } from './helpers/token-server.js';

const ARCH = hostPlatform().architecture;

async function smallImage(tag: string) {
  return buildImage([await buildLayer([{ path: 'who', content: tag }], 'gzip')], { architecture: ARCH });
}

test('htpasswd basic auth: refused without credentials (login hint), pulled with them, login verifies and writes 0600', async (t) => {
  const dir = await tempDir(t);
  const htpasswd = join(dir, 'htpasswd');
  const { stdout } = await run('htpasswd', ['-Bbn', 'alice', 's3cret']);
  await writeFile(htpasswd, stdout);
  const open = await registryFor(t);
  const image = await smallImage('basic');
  await pushImage(open.host, 'peapod/private', 'v1', image);
  const locked = await registryFor(t, { storage: open.storage, auth: { htpasswd: { path: htpasswd } } });
  const ref = `${locked.host}/peapod/private:v1`;

  const config = await testConfig(t);
  const images = createImageService(config);
  await assert.rejects(images.pull(ref), (err: unknown) => {
    assert.ok(err instanceof PeapodError && err.code === 'Unauthenticated', String(err));
    assert.match(err.hint ?? '', new RegExp(`peapod login ${locked.host.replace(/\./g, '\\.')}`));
    return true;
  });

  await assert.rejects(login(locked.host, 'alice', 'wrong', { authFile: config.authFile, insecureRegistries: [] }), (err: unknown) => {
    assert.ok(err instanceof PeapodError && err.code === 'Unauthenticated');
    assert.match(err.message, /invalid username or password/);
    return true;
  });
  await assert.rejects(stat(config.authFile), 'nothing written after a failed login');
  await login(locked.host, 'alice', 's3cret', { authFile: config.authFile, insecureRegistries: [] });
  assert.equal((await stat(config.authFile)).mode & 0o777, 0o600);
  const file = JSON.parse(await readFile(config.authFile, 'utf8')) as { auths: Record<string, { auth: string }> };
  assert.equal(Buffer.from(file.auths[locked.host]?.auth ?? '', 'base64').toString(), 'alice:s3cret');

  const record = await images.pull(ref);
  assert.equal(record.id, image.config.digest);

  // Explicit credentials (CRI AuthConfig) override the file.
  await assert.rejects(
    createImageService(config).pull(ref, { auth: { username: 'alice', password: 'nope' } }),
    (err: unknown) => err instanceof PeapodError && err.code === 'Unauthenticated',
  );
  assert.equal(await logout(locked.host, config.authFile), true);
  await assert.rejects(
    createImageService(config).pull(`${locked.host}/peapod/private:v1`),
    (err: unknown) => err instanceof PeapodError && err.code === 'Unauthenticated',
  );
});

for (const field of ['token', 'access_token'] as const) {
  test(`bearer token auth (${field}): challenge, token with basic credentials, token cached per scope`, async (t) => {
    const dir = await tempDir(t);
    const tokens = await startTokenServer({ dir, user: 'bob', password: 'pw', field });
    t.after(() => tokens.close());
    const open = await registryFor(t);
    const image = await smallImage(`token-${field}`);
    await pushImage(open.host, 'peapod/tokened', 'v1', image);
    const locked = await registryFor(t, {
      storage: open.storage,
      auth: { token: { realm: tokens.realm, service: TOKEN_SERVICE, issuer: TOKEN_ISSUER, rootCertBundle: tokens.certPath } },
    });
    const ref = `${locked.host}/peapod/tokened:v1`;
    const config = await testConfig(t);

    // Anonymous: the token server hands out a token without access; the registry refuses it.
    await assert.rejects(createImageService(config).pull(ref), (err: unknown) => {
      assert.ok(err instanceof PeapodError && err.code === 'Unauthenticated', String(err));
      return true;
    });

    await login(locked.host, 'bob', 'pw', { authFile: config.authFile, insecureRegistries: [] });
    const before = tokens.requests.length;
    const images = createImageService(config);
    const record = await images.pull(ref);
    assert.equal(record.id, image.config.digest);
    const asked = tokens.requests.slice(before);
    assert.equal(asked.length, 1, 'one token for the whole pull (manifest, config, layer)');
    assert.equal(asked[0]?.scope, 'repository:peapod/tokened:pull');
    assert.equal(asked[0]?.service, TOKEN_SERVICE);
    assert.equal(asked[0]?.user, 'bob');
    assert.equal(asked[0]?.account, 'bob');

    await assert.rejects(login(locked.host, 'bob', 'bad', { authFile: join(dir, 'other.json'), insecureRegistries: [] }), /invalid username or password/);
  });
}
