// Pulls from a real docker-registry into the real content store and snapshotter: multi-layer images with
// gzip, zstd and plain layers, a whiteout, a multi-arch index, Docker schema 2, pull policies, removal and
// garbage collection, two concurrent pulls of one image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createImageService } from '../../src/image/service.js';
import { chainIds } from '../../src/image/snapshots/snapshotter.js';
import { hostPlatform } from '../../src/image/platform.js';
import type { PullProgress } from '../../src/image/types.js';
import { PeapodError } from '../../src/common/errors.js';
import { buildImage, buildIndex, buildLayer, sha256, type BuiltImage } from './helpers/build.js';
import { pushBlob, pushImage, pushManifest } from './helpers/push.js';
import { registryFor, testConfig } from './helpers/fixture.js';

const HOST_ARCH = hostPlatform().architecture;

async function threeLayerImage(): Promise<BuiltImage> {
  const base = await buildLayer(
    [
      { path: 'etc/', dir: true },
      { path: 'etc/os-release', content: 'NAME=peapod-test\n' },
      { path: 'data/', dir: true },
      { path: 'data/keep', content: 'keep' },
      { path: 'data/gone', content: 'gone' },
      { path: 'old/', dir: true },
      { path: 'old/a', content: 'a' },
    ],
    'gzip',
  );
  const middle = await buildLayer(
    [
      { path: 'bin/', dir: true },
      { path: 'bin/tool', content: '#!/bin/sh\necho tool\n', mode: 0o755 },
    ],
    'zstd',
  );
  const top = await buildLayer(
    [
      { path: 'data/', dir: true },
      { path: 'data/.wh.gone', content: '' },
      { path: 'old/', dir: true },
      { path: 'old/.wh..wh..opq', content: '' },
      { path: 'old/b', content: 'b' },
      { path: 'etc/link', symlink: 'os-release' },
    ],
    'none',
  );
  return buildImage([base, middle, top], { architecture: HOST_ARCH });
}

async function blobFiles(root: string): Promise<string[]> {
  return (await readdir(join(root, 'images', 'blobs', 'sha256')).catch(() => [])).map((h) => `sha256:${h}`).sort();
}

test('pulls a multi-layer image with gzip, zstd and plain layers and a whiteout, unpacked for overlayfs', async (t) => {
  const registry = await registryFor(t);
  const image = await threeLayerImage();
  await pushImage(registry.host, 'peapod/three', 'v1', image);
  const config = await testConfig(t);
  const images = createImageService(config);
  const events: PullProgress[] = [];
  const record = await images.pull(`${registry.host}/peapod/three:v1`, { onProgress: (e) => events.push(e) });

  assert.equal(record.id, image.config.digest);
  assert.deepEqual(record.names, [`${registry.host}/peapod/three:v1`]);
  assert.deepEqual(record.repoDigests, [`${registry.host}/peapod/three@${image.manifest.digest}`]);
  assert.equal(record.manifestDigest, image.manifest.digest);
  assert.deepEqual(
    record.layers.map((l) => l.digest),
    image.layers.map((l) => l.digest),
  );
  assert.deepEqual(
    record.layers.map((l) => l.diffId),
    image.layers.map((l) => l.diffId),
  );
  assert.equal(record.size, image.config.bytes.length + image.layers.reduce((s, l) => s + l.bytes.length, 0));
  assert.deepEqual(record.config.cmd, ['/bin/sh']);
  assert.equal(record.architecture, HOST_ARCH);
  for (const phase of ['resolving', 'downloading', 'unpacking', 'done'] as const) {
    assert.ok(
      events.some((e) => e.phase === phase),
      `a ${phase} event`,
    );
  }

  // The store holds exactly manifest, config and layers, each under its verified digest.
  const expectedBlobs = [image.manifest.digest, image.config.digest, ...image.layers.map((l) => l.digest)].sort();
  assert.deepEqual(await blobFiles(config.root), expectedBlobs);
  for (const digest of expectedBlobs) {
    assert.equal(sha256(await readFile(join(config.root, 'images', 'blobs', 'sha256', digest.slice(7)))), digest);
  }

  const { lowerDirs } = await images.rootfsLayers(record.id);
  assert.equal(lowerDirs.length, 3);
  const [top, middle, base] = lowerDirs as [string, string, string];
  assert.equal(await readFile(join(base, 'etc/os-release'), 'utf8'), 'NAME=peapod-test\n');
  assert.equal(await readFile(join(middle, 'bin/tool'), 'utf8'), '#!/bin/sh\necho tool\n');
  const whiteout = await stat(join(top, 'data/gone'));
  assert.ok(whiteout.isCharacterDevice() && whiteout.rdev === 0, 'data/gone is an overlay whiteout (0/0 char device)');
  assert.equal(await readFile(join(top, 'old/b'), 'utf8'), 'b');
  // Top-most first, and the directories are the snapshotter's chains.
  const chains = chainIds(image.layers.map((l) => l.diffId));
  assert.ok(top.includes(chains[2]?.slice(7) ?? 'x') && base.includes(chains[0]?.slice(7) ?? 'x'));

  assert.equal(await images.count(), 1);
  assert.equal((await images.find(record.id.slice(7, 11)))?.id, record.id, 'found by a 4-hex ID prefix');
  assert.equal((await images.find(`${registry.host}/peapod/three@${image.manifest.digest}`))?.id, record.id, 'found by repo digest');
  assert.equal(await images.find(`${registry.host}/peapod/three:v2`), undefined);
});

test('a multi-arch index resolves to this host platform; Docker schema 2 images pull too', async (t) => {
  const registry = await registryFor(t);
  const layer = await buildLayer([{ path: 'arch', content: HOST_ARCH }], 'gzip');
  const otherLayer = await buildLayer([{ path: 'arch', content: 'other' }], 'gzip');
  const mine = buildImage([layer], { architecture: HOST_ARCH, docker: true });
  const other = buildImage([otherLayer], { architecture: HOST_ARCH === 'arm64' ? 'amd64' : 'arm64', docker: true });
  for (const img of [mine, other]) {
    for (const blob of img.blobs) await pushBlob(registry.host, 'peapod/multi', blob);
    await pushManifest(registry.host, 'peapod/multi', img.manifest.digest, img.manifest);
  }
  const index = buildIndex([
    { image: other, platform: { os: 'linux', architecture: HOST_ARCH === 'arm64' ? 'amd64' : 'arm64' } },
    { image: mine, platform: { os: 'linux', architecture: HOST_ARCH } },
    { image: other, platform: { os: 'windows', architecture: HOST_ARCH } },
  ]);
  await pushManifest(registry.host, 'peapod/multi', 'latest', index);

  const config = await testConfig(t);
  const images = createImageService(config);
  const record = await images.pull(`${registry.host}/peapod/multi`);
  assert.equal(record.id, mine.config.digest);
  assert.equal(record.manifestDigest, mine.manifest.digest);
  assert.deepEqual(record.repoDigests, [`${registry.host}/peapod/multi@${index.digest}`], 'the repo digest is the index digest, as docker reports it');
  assert.deepEqual(record.names, [`${registry.host}/peapod/multi:latest`]);
  const blobs = await blobFiles(config.root);
  assert.ok(!blobs.includes(other.config.digest) && !blobs.includes(otherLayer.digest), 'nothing of the other platform was fetched');
  const [dir] = (await images.rootfsLayers(record.id)).lowerDirs;
  assert.equal(await readFile(join(dir ?? '', 'arch'), 'utf8'), HOST_ARCH);

  // An index without this platform: NotFound naming it.
  const onlyOther = buildIndex([{ image: other, platform: { os: 'linux', architecture: 's390x' } }]);
  await pushManifest(registry.host, 'peapod/multi', 'foreign', onlyOther);
  await assert.rejects(images.pull(`${registry.host}/peapod/multi:foreign`), (err: unknown) => {
    assert.ok(err instanceof PeapodError && err.code === 'NotFound');
    assert.match(err.message, new RegExp(`no image for platform linux/${HOST_ARCH}`));
    assert.match(err.hint ?? '', /linux\/s390x/);
    return true;
  });
});

test('an unknown layer media type and a malformed reference are refused with a clear error', async (t) => {
  const registry = await registryFor(t);
  const odd = await buildLayer([{ path: 'x', content: 'x' }], 'gzip', 'application/vnd.example.weird+gzip');
  const image = buildImage([odd], { architecture: HOST_ARCH });
  await pushImage(registry.host, 'peapod/odd', 'v1', image);
  const images = createImageService(await testConfig(t));
  await assert.rejects(images.pull(`${registry.host}/peapod/odd:v1`), (err: unknown) => {
    assert.ok(err instanceof PeapodError && err.code === 'Unimplemented');
    assert.match(err.message, /unsupported layer media type "application\/vnd\.example\.weird\+gzip"/);
    return true;
  });
  await assert.rejects(
    images.pull('Bad/Name'),
    (err: unknown) => err instanceof PeapodError && err.code === 'InvalidArgument' && /"Bad\/Name"/.test(err.message),
  );
});

test('pull policies, concurrent pulls sharing one download, rmi and prune with garbage collection', async (t) => {
  const registry = await registryFor(t);
  const shared = await buildLayer([{ path: 'shared', content: 'shared' }], 'gzip');
  const a = buildImage([shared, await buildLayer([{ path: 'a', content: 'a' }], 'gzip')], { architecture: HOST_ARCH });
  const b = buildImage([shared, await buildLayer([{ path: 'b', content: 'b' }], 'zstd')], { architecture: HOST_ARCH });
  await pushImage(registry.host, 'peapod/a', 'v1', a);
  await pushImage(registry.host, 'peapod/b', 'v1', b);
  const config = await testConfig(t);
  const images = createImageService(config);
  const refA = `${registry.host}/peapod/a:v1`;
  const refB = `${registry.host}/peapod/b:v1`;

  await assert.rejects(images.ensure(refA, 'Never'), (err: unknown) => {
    assert.ok(err instanceof PeapodError && err.code === 'NotFound');
    assert.match(err.message, /is not present with pull policy of Never/);
    return true;
  });
  const [first, second] = await Promise.all([images.ensure(refA, 'IfNotPresent'), images.pull(refA)]);
  assert.equal(first.id, second.id);
  assert.equal((await images.ensure(refA, 'Never')).id, a.config.digest);
  await images.pull(refB);
  assert.equal(await images.count(), 2);

  // A second name for A, then untag it: the image stays.
  await images.pull(`${registry.host}/peapod/a@${a.manifest.digest}`);
  assert.equal((await images.find(refA))?.names.length, 2);
  assert.deepEqual(await images.remove(refA), { untagged: [refA], deleted: [] });
  assert.equal(await images.count(), 2);

  // In use: refused without force; with force it is untagged and kept until unused.
  images.setUsageProvider(() => Promise.resolve(new Set([b.config.digest])));
  await assert.rejects(images.remove(refB), (err: unknown) => err instanceof PeapodError && err.code === 'FailedPrecondition' && /in use/.test(err.message));
  assert.deepEqual(await images.remove(refB, { force: true }), { untagged: [refB], deleted: [] });
  assert.equal((await images.prune()).deleted.length, 0, 'prune keeps an image in use');
  images.setUsageProvider(() => Promise.resolve(new Set()));

  // Deleting A by ID removes its own layer but keeps the layer B shares.
  const removed = await images.remove(a.config.digest.slice(7, 19));
  assert.deepEqual(removed.deleted, [a.config.digest]);
  const blobs = await blobFiles(config.root);
  assert.ok(blobs.includes(shared.digest), 'the shared layer stays');
  assert.ok(!blobs.includes(a.layers[1]?.digest ?? ''), "A's own layer is gone");
  assert.ok(!blobs.includes(a.config.digest) && !blobs.includes(a.manifest.digest));
  const snapshots = await readdir(join(config.root, 'snapshots'));
  assert.equal(snapshots.filter((s) => /^[0-9a-f]{64}$/.test(s)).length, 2, "B's two chains remain");

  // B is dangling now: prune deletes it and everything else.
  const pruned = await images.prune();
  assert.deepEqual(pruned.deleted, [b.config.digest]);
  assert.ok(pruned.reclaimedBytes > 0);
  assert.deepEqual(await blobFiles(config.root), []);
  assert.deepEqual(
    (await readdir(join(config.root, 'snapshots'))).filter((s) => /^[0-9a-f]{64}$/.test(s)),
    [],
  );
  assert.equal(await images.count(), 0);
  await assert.rejects(images.remove(refB), (err: unknown) => err instanceof PeapodError && err.code === 'NotFound');
});
