// The image verbs end to end, as a user runs them: bin/peapod against a real daemon on the test's own
// roots, pulling from a real docker-registry (htpasswd-protected for login).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostPlatform } from '../../src/image/platform.js';
import type { ImageRecord } from '../../src/image/types.js';
import { run } from '../../src/host/exec.js';
import { makeTestRoots } from '../helpers/roots.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { runCli } from '../helpers/cli.js';
import { buildImage, buildLayer } from './helpers/build.js';
import { pushImage } from './helpers/push.js';
import { registryFor } from './helpers/fixture.js';

const ARCH = hostPlatform().architecture;

test('peapod pull, images, image inspect, rmi, load, image prune, login and logout through the daemon', async (t) => {
  const roots = await makeTestRoots();
  const running: { daemon?: TestDaemon } = {};
  t.after(async () => {
    await running.daemon?.stop();
    await roots.cleanup();
  });
  const open = await registryFor(t);
  const image = buildImage([await buildLayer([{ path: 'hello', content: 'cli' }], 'gzip'), await buildLayer([{ path: 'two', content: '2' }], 'zstd')], {
    architecture: ARCH,
  });
  await pushImage(open.host, 'peapod/cli', 'v1', image);
  const htpasswd = join(roots.dir, 'htpasswd');
  await writeFile(htpasswd, (await run('htpasswd', ['-Bbn', 'carol', 'pw'])).stdout);
  const locked = await registryFor(t, { storage: open.storage, auth: { htpasswd: { path: htpasswd } } });

  running.daemon = await startDaemon(roots);
  const env = roots.env();
  const cli = async (...args: string[]) => runCli(env, args);

  const ref = `${open.host}/peapod/cli:v1`;
  const pulled = await cli('pull', ref);
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.equal(pulled.stdout, `Pulled ${ref} ${image.config.digest}\n`, 'piped output is the result line only');

  const table = await cli('images');
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^IMAGE\s+TAG\s+IMAGE ID\s+SIZE$/);
  assert.match(lines[1] ?? '', new RegExp(`^${open.host}/peapod/cli\\s+v1\\s+${image.config.digest.slice(7, 20)}\\s+\\d`));
  const wide = await cli('images', '-o', 'wide');
  assert.match(wide.stdout.split('\n')[0] ?? '', /DIGEST\s+CREATED$/);
  assert.equal((await cli('images', '-q')).stdout, `${image.config.digest}\n`);
  const listed = JSON.parse((await cli('images', '-o', 'json')).stdout) as ImageRecord[];
  assert.equal(listed[0]?.id, image.config.digest);
  const inspected = JSON.parse((await cli('image', 'inspect', image.config.digest.slice(7, 15))).stdout) as ImageRecord[];
  assert.deepEqual(inspected[0]?.names, [ref]);
  assert.match((await cli('info')).stdout, /Images:\s+1\n/);

  const missing = await cli('pull', `${open.host}/peapod/cli:absent`);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^Error from server \(NotFound\): manifest .*peapod\/cli:absent: not found/);
  const noImage = await cli('rmi', 'nothing:here');
  assert.equal(noImage.code, 1);
  assert.match(noImage.stderr, /Error from server \(NotFound\): image "nothing:here" not found/);

  // login (password on stdin) writes the auth file the daemon reads; then the locked registry pulls.
  const lockedRef = `${locked.host}/peapod/cli:v1`;
  const denied = await cli('pull', lockedRef);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /Error \(Unauthenticated\)[\s\S]*hint: .*peapod login/);
  const badLogin = await runCli(env, ['login', locked.host, '-u', 'carol', '--password-stdin'], { input: 'wrong\n' });
  assert.equal(badLogin.code, 1);
  assert.match(badLogin.stderr, /invalid username or password/);
  const login = await runCli(env, ['login', locked.host, '-u', 'carol', '--password-stdin'], { input: 'pw\n' });
  assert.equal(login.code, 0, login.stderr);
  assert.equal(login.stdout, 'Login Succeeded\n');
  assert.equal((await stat(roots.config.authFile)).mode & 0o777, 0o600);
  const lockedPull = await cli('pull', lockedRef);
  assert.equal(lockedPull.code, 0, lockedPull.stderr);
  assert.equal((await cli('logout', locked.host)).stdout, `Removing login credentials for ${locked.host}\n`);
  assert.equal((await cli('logout', locked.host)).stdout, `Not logged in to ${locked.host}\n`);

  // Two names: rmi of one untags, of the last deletes.
  const untag = await cli('rmi', lockedRef);
  assert.equal(untag.stdout, `Untagged: ${lockedRef}\n`);
  const removed = await cli('rmi', ref);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(removed.stdout, `Untagged: ${ref}\nDeleted: ${image.config.digest}\n`);
  assert.equal((await cli('images', '-q')).stdout, '');

  // load from an OCI layout directory, then prune -a.
  const layout = join(roots.dir, 'layout');
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  for (const blob of [image.manifest, ...image.blobs]) await writeFile(join(layout, 'blobs', 'sha256', blob.digest.slice(7)), blob.bytes);
  await writeFile(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: image.manifest.mediaType,
          digest: image.manifest.digest,
          size: image.manifest.bytes.length,
          annotations: { 'io.containerd.image.name': 'example.com/loaded:1' },
        },
      ],
    }),
  );
  const loaded = await runCli(env, ['load', '-i', 'layout'], { cwd: roots.dir });
  assert.equal(loaded.code, 0, loaded.stderr);
  assert.equal(loaded.stdout, 'Loaded image: example.com/loaded:1\n');
  const pruned = await cli('image', 'prune', '-a');
  assert.equal(pruned.code, 0, pruned.stderr);
  assert.match(pruned.stdout, new RegExp(`deleted: ${image.config.digest}\n[\\s\\S]*Total reclaimed space: \\d`));
  assert.equal((await cli('images', '-q')).stdout, '');
});
