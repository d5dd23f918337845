// Registry faults through a fault-injecting proxy: a 500 retried, a 404 not retried, a corrupted and a
// truncated blob refused and never stored, a connection cut mid-blob resumed with a Range request, an
// interrupted pull that resumes without downloading verified blobs again, and an abort.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createImageService } from '../../src/image/service.js';
import { hostPlatform } from '../../src/image/platform.js';
import { PeapodError } from '../../src/common/errors.js';
import { buildImage, buildLayer, pseudoRandom, type BuiltImage } from './helpers/build.js';
import { pushImage } from './helpers/push.js';
import { registryFor, testConfig } from './helpers/fixture.js';
import { FaultProxy } from './helpers/fault-proxy.js';

const ARCH = hostPlatform().architecture;
const BIG = 1024 * 1024;

async function setup(
  t: TestContext,
): Promise<{ proxy: FaultProxy; image: BuiltImage; root: string; ref: string; images: ReturnType<typeof createImageService> }> {
  const registry = await registryFor(t);
  const layers = [
    await buildLayer([{ path: 'one', content: pseudoRandom(BIG, `one-${t.name}`) }], 'gzip'),
    await buildLayer([{ path: 'two', content: pseudoRandom(BIG, `two-${t.name}`) }], 'none'),
    await buildLayer([{ path: 'three', content: pseudoRandom(BIG, `three-${t.name}`) }], 'gzip'),
  ];
  const image = buildImage(layers, { architecture: ARCH });
  await pushImage(registry.host, 'peapod/faulty', 'v1', image);
  const proxy = new FaultProxy(registry.host);
  await proxy.start();
  t.after(() => proxy.close());
  const config = await testConfig(t);
  return { proxy, image, root: config.root, ref: `${proxy.host}/peapod/faulty:v1`, images: createImageService(config) };
}

const blobPath = (digest: string): string => `/blobs/${digest}`;

async function stored(root: string): Promise<string[]> {
  return (await readdir(join(root, 'images', 'blobs', 'sha256')).catch(() => [])).map((h) => `sha256:${h}`);
}

async function ingestLeftovers(root: string): Promise<string[]> {
  return readdir(join(root, 'images', 'ingest')).catch(() => []);
}

test('a 500 is retried and the pull succeeds; a 404 is not retried and names the reference', async (t) => {
  const { proxy, image, ref, images } = await setup(t);
  proxy.add({ pathIncludes: '/manifests/v1', kind: 'status500' });
  proxy.add({ pathIncludes: blobPath(image.layers[0]?.digest ?? ''), kind: 'status500', remaining: 2 });
  const record = await images.pull(ref);
  assert.equal(record.id, image.config.digest);
  assert.equal(proxy.count('/manifests/v1'), 2, 'one 500, one success');
  assert.equal(proxy.count(blobPath(image.layers[0]?.digest ?? '')), 3, 'two 500s, one success');

  const missing = `${proxy.host}/peapod/faulty:nope`;
  await assert.rejects(images.pull(missing), (err: unknown) => {
    assert.ok(err instanceof PeapodError && err.code === 'NotFound', String(err));
    assert.ok(err.message.includes(`${proxy.host}/peapod/faulty:nope`), err.message);
    return true;
  });
  assert.equal(proxy.count('/manifests/nope'), 1, '404 is not retried');
});

test('a corrupted blob is refused with both digests and never stored', async (t) => {
  const { proxy, image, root, ref, images } = await setup(t);
  const bad = image.layers[1]?.digest ?? '';
  proxy.add({ pathIncludes: blobPath(bad), kind: 'corrupt', remaining: 100 });
  await assert.rejects(images.pull(ref), (err: unknown) => {
    assert.ok(err instanceof PeapodError && err.code === 'DataLoss', String(err));
    assert.match(err.message, new RegExp(`expected ${bad}, got sha256:[0-9a-f]{64}`));
    return true;
  });
  assert.ok(!(await stored(root)).includes(bad));
  assert.deepEqual(await ingestLeftovers(root), [], 'the bad partial blob is deleted');
  assert.equal(await images.count(), 0);
});

test('a truncated blob is refused (size mismatch) and never stored', async (t) => {
  const { proxy, image, root, ref, images } = await setup(t);
  const cut = image.layers[2]?.digest ?? '';
  proxy.add({ pathIncludes: blobPath(cut), kind: 'truncate', afterBytes: 1000, remaining: 100 });
  await assert.rejects(images.pull(ref), (err: unknown) => {
    assert.ok(err instanceof PeapodError && err.code === 'DataLoss', String(err));
    assert.match(err.message, /size mismatch: expected \d+ bytes, got 1000/);
    return true;
  });
  assert.ok(!(await stored(root)).includes(cut));
  assert.deepEqual(await ingestLeftovers(root), []);
});

test('a connection cut mid-blob is resumed with a Range request and verified whole', async (t) => {
  const { proxy, image, ref, images } = await setup(t);
  const layer = image.layers[1]?.digest ?? '';
  proxy.add({ pathIncludes: blobPath(layer), kind: 'cut', afterBytes: 300_000 });
  const record = await images.pull(ref);
  assert.equal(record.id, image.config.digest);
  const requests = proxy.requests.filter((r) => r.path.includes(blobPath(layer)));
  assert.equal(requests.length, 2);
  assert.equal(requests[0]?.range, undefined);
  assert.match(requests[1]?.range ?? '', /^bytes=\d+-$/);
  assert.ok(Number(/bytes=(\d+)-/.exec(requests[1]?.range ?? '')?.[1]) > 0, 'resumed past the kept bytes');
  assert.equal((await images.rootfsLayers(record.id)).lowerDirs.length, 3);
});

test('an interrupted pull resumes: verified blobs are not downloaded again', async (t) => {
  const { proxy, image, ref, images, root } = await setup(t);
  const [l1, l2, l3] = image.layers.map((l) => l.digest) as [string, string, string];
  proxy.add({ pathIncludes: blobPath(l3), kind: 'status500', remaining: 100 });
  await assert.rejects(images.pull(ref), (err: unknown) => err instanceof PeapodError && err.code === 'Unavailable' && /HTTP 500/.test(err.message));
  assert.equal(proxy.count(blobPath(l3)), 3, 'three attempts');
  const after = await stored(root);
  assert.ok(after.includes(l1) && after.includes(l2) && !after.includes(l3));

  proxy.clearRules();
  const record = await images.pull(ref);
  assert.equal(record.id, image.config.digest);
  assert.equal(proxy.count(blobPath(l1)), 1, 'layer 1 downloaded once');
  assert.equal(proxy.count(blobPath(l2)), 1, 'layer 2 downloaded once');
  assert.equal(proxy.count(blobPath(image.config.digest)), 1, 'config downloaded once');
  assert.equal(proxy.count(blobPath(l3)), 4);
});

test('an aborted pull stops promptly and stores no image', async (t) => {
  const { proxy, image, ref, images } = await setup(t);
  proxy.add({ pathIncludes: blobPath(image.layers[0]?.digest ?? ''), kind: 'hang', remaining: 100 });
  const started = Date.now();
  await assert.rejects(
    images.pull(ref, { signal: AbortSignal.timeout(500) }),
    (err: unknown) => err instanceof Error && /abort|timeout/i.test(`${err.name} ${err.message}`),
  );
  assert.ok(Date.now() - started < 5000, 'within a few seconds');
  assert.equal(await images.count(), 0);
});
