// Registry mirrors against real docker-registry instances: a registry name that resolves nowhere is
// pulled through its mirror; a mirror without the image, or one that is down, falls through to the
// registry itself; the mirror is asked first (counted by a proxy in front of it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createImageService } from '../../src/image/service.js';
import { hostPlatform } from '../../src/image/platform.js';
import { freePort } from './helpers/registry.js';
import { buildImage, buildLayer, type BuiltImage } from './helpers/build.js';
import { pushImage } from './helpers/push.js';
import { registryFor, testConfig } from './helpers/fixture.js';
import { FaultProxy } from './helpers/fault-proxy.js';
import { writeFile } from 'node:fs/promises';
import { makeTestRoots } from '../helpers/roots.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { runCli } from '../helpers/cli.js';

async function smallImage(): Promise<BuiltImage> {
  const layer = await buildLayer([
    { path: 'etc/', dir: true },
    { path: 'etc/mirrored', content: 'yes\n' },
  ]);
  return buildImage([layer], { architecture: hostPlatform().architecture });
}

test('a registry that resolves nowhere is pulled through its mirror, under its own name', async (t) => {
  const mirror = await registryFor(t);
  const image = await smallImage();
  await pushImage(mirror.host, 'team/app', 'v1', image);
  const images = createImageService(await testConfig(t), new Map([['registry.peapod-test.invalid', [`http://${mirror.host}`]]]));
  const record = await images.pull('registry.peapod-test.invalid/team/app:v1');
  assert.equal(record.id, image.config.digest);
  assert.ok(record.names.includes('registry.peapod-test.invalid/team/app:v1'), JSON.stringify(record.names));
  // Without the mirror the same name fails: the mirror is what made it work.
  await assert.rejects(createImageService(await testConfig(t)).pull('registry.peapod-test.invalid/team/app:v1'));
});

test('a mirror without the image, and one that is down, fall through to the registry; the mirror is asked first', async (t) => {
  const origin = await registryFor(t);
  const empty = await registryFor(t);
  const proxy = new FaultProxy(`http://${empty.host}`);
  await proxy.start();
  t.after(() => proxy.close());
  const image = await smallImage();
  await pushImage(origin.host, 'team/app', 'v2', image);
  const down = `http://127.0.0.1:${await freePort()}`;
  const images = createImageService(await testConfig(t), new Map([[origin.host, [down, `http://${proxy.host}`]]]));
  const record = await images.pull(`${origin.host}/team/app:v2`);
  assert.equal(record.id, image.config.digest);
  assert.ok(proxy.count('/v2/team/app/manifests/v2') >= 1, 'the mirror was asked for the manifest before the registry');
});

test('the daemon takes its mirrors from PEAPOD_REGISTRY_MIRRORS and the registries file: peapod pull uses them, peapod info lists them', async (t) => {
  const mirror = await registryFor(t);
  const image = await smallImage();
  await pushImage(mirror.host, 'team/app', 'v3', image);
  const roots = await makeTestRoots({ registryMirrors: [`registry.peapod-test.invalid=http://${mirror.host}`] });
  const running: { daemon?: TestDaemon } = {};
  t.after(async () => {
    await running.daemon?.stop();
    await roots.cleanup();
  });
  await writeFile(roots.config.registriesConfig, `mirrors:\n  gcr.io: [http://${mirror.host}]\n`);
  running.daemon = await startDaemon(roots);
  const env = roots.env();
  const pulled = await runCli(env, ['pull', 'registry.peapod-test.invalid/team/app:v3']);
  assert.equal(pulled.code, 0, pulled.stderr);
  await pushImage(mirror.host, 'k8s/thing', 'v1', image);
  const fromFile = await runCli(env, ['pull', 'gcr.io/k8s/thing:v1']);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  const info = await runCli(env, ['info']);
  assert.match(info.stdout, new RegExp(`Registry mirror: registry\\.peapod-test\\.invalid → http://${mirror.host}`));
  assert.match(info.stdout, new RegExp(`Registry mirror: gcr\\.io → http://${mirror.host}`));
});

test('a bad mirror setting stops the daemon at start, naming the entry', async (t) => {
  const roots = await makeTestRoots({ registryMirrors: ['docker.io=ftp://nope'] });
  t.after(() => roots.cleanup());
  const r = await runCli(roots.env(), ['daemon']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /PEAPOD_REGISTRY_MIRRORS\[0\]: "ftp:\/\/nope": only http and https mirrors are supported/);
});
