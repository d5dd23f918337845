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

async function smallImage(): Promise<BuiltImage> {
  const layer = await buildLayer([{ path: 'etc/', dir: true }, { path: 'etc/mirrored', content: 'yes\n' }]);
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
