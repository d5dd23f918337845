// `load` of an OCI layout directory, an OCI layout tar and docker-archive tars (written by skopeo, and by
// hand with a symlinked layer as docker save writes them), with names from annotations or RepoTags, and a
// corrupted blob refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createImageService } from '../../src/image/service.js';
import { hostPlatform } from '../../src/image/platform.js';
import { PeapodError } from '../../src/common/errors.js';
import { run } from '../../src/host/exec.js';
import { buildImage, buildLayer, tarOf, type BuiltImage, type FileSpec } from './helpers/build.js';
import { tempDir, testConfig } from './helpers/fixture.js';

const ARCH = hostPlatform().architecture;

async function image(top: 'zstd' | 'gzip' = 'zstd'): Promise<BuiltImage> {
  return buildImage(
    [
      await buildLayer(
        [
          { path: 'etc/', dir: true },
          { path: 'etc/hello', content: 'hello\n' },
        ],
        'gzip',
      ),
      await buildLayer([{ path: 'bin/app', content: 'app' }], top),
    ],
    { architecture: ARCH },
  );
}

async function writeOciLayout(dir: string, img: BuiltImage, annotations: Record<string, string>): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const blob of [img.manifest, ...img.blobs]) await writeFile(join(dir, 'blobs', 'sha256', blob.digest.slice(7)), blob.bytes);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: img.manifest.mediaType, digest: img.manifest.digest, size: img.manifest.bytes.length, annotations }],
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
}

async function ociTar(img: BuiltImage, annotations: Record<string, string>): Promise<Buffer> {
  const files: FileSpec[] = [
    { path: 'oci-layout', content: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    {
      path: 'index.json',
      content: JSON.stringify({
        schemaVersion: 2,
        manifests: [{ mediaType: img.manifest.mediaType, digest: img.manifest.digest, size: img.manifest.bytes.length, annotations }],
      }),
    },
    { path: 'blobs/', dir: true },
    { path: 'blobs/sha256/', dir: true },
    ...[img.manifest, ...img.blobs].map((b) => ({ path: `blobs/sha256/${b.digest.slice(7)}`, content: b.bytes })),
  ];
  return tarOf(files);
}

test('loads an OCI layout directory and names it from a bare ref.name tag', async (t) => {
  const dir = await tempDir(t);
  const img = await image();
  const layout = join(dir, 'myapp');
  await writeOciLayout(layout, img, { 'org.opencontainers.image.ref.name': 'v1' });
  const images = createImageService(await testConfig(t));
  const [record, ...rest] = await images.load(layout);
  assert.equal(rest.length, 0);
  assert.equal(record?.id, img.config.digest);
  assert.deepEqual(record?.names, ['localhost/myapp:v1']);
  const { lowerDirs } = await images.rootfsLayers(img.config.digest);
  assert.equal(await readFile(join(lowerDirs[1] ?? '', 'etc/hello'), 'utf8'), 'hello\n');
  assert.equal(await readFile(join(lowerDirs[0] ?? '', 'bin/app'), 'utf8'), 'app');
});

test('loads an OCI layout tar named by io.containerd.image.name; refuses a corrupted blob', async (t) => {
  const dir = await tempDir(t);
  const img = await image();
  await writeFile(
    join(dir, 'oci.tar'),
    await ociTar(img, { 'io.containerd.image.name': 'example.com/team/app:2.0', 'org.opencontainers.image.ref.name': '2.0' }),
  );
  const images = createImageService(await testConfig(t));
  const [record] = await images.load(join(dir, 'oci.tar'));
  assert.deepEqual(record?.names, ['example.com/team/app:2.0']);
  assert.deepEqual(record?.repoDigests, [`example.com/team/app@${img.manifest.digest}`]);
  assert.equal((await images.find('example.com/team/app:2.0'))?.id, img.config.digest);

  const broken = join(dir, 'broken');
  await writeOciLayout(broken, img, { 'org.opencontainers.image.ref.name': 'example.com/x:1' });
  const layer = img.layers[0]?.digest.slice(7) ?? '';
  const bytes = await readFile(join(broken, 'blobs', 'sha256', layer));
  bytes[10] = (bytes[10] ?? 0) ^ 0xff;
  await writeFile(join(broken, 'blobs', 'sha256', layer), bytes);
  const fresh = createImageService(await testConfig(t));
  await assert.rejects(fresh.load(broken), (err: unknown) => err instanceof PeapodError && err.code === 'DataLoss' && /digest mismatch/.test(err.message));
  assert.equal(await fresh.count(), 0);
});

test('loads docker-archive tars: written by skopeo, and by hand with a symlinked layer', async (t) => {
  const dir = await tempDir(t);
  // Docker images know no zstd: skopeo refuses to convert such a layer.
  const img = await image('gzip');
  const layout = join(dir, 'layout');
  await writeOciLayout(layout, img, { 'org.opencontainers.image.ref.name': 'v1' });
  await run('skopeo', ['copy', '--quiet', `oci:${layout}:v1`, `docker-archive:${join(dir, 'docker.tar')}:example.com/app:1`], { timeoutMs: 60_000 });
  const images = createImageService(await testConfig(t));
  const [record] = await images.load(join(dir, 'docker.tar'));
  assert.deepEqual(record?.names, ['example.com/app:1']);
  assert.equal(record?.layers.length, 2);
  assert.deepEqual(
    record?.layers.map((l) => l.diffId),
    img.layers.map((l) => l.diffId),
  );
  const { lowerDirs } = await images.rootfsLayers(record?.id ?? '');
  assert.equal(await readFile(join(lowerDirs[1] ?? '', 'etc/hello'), 'utf8'), 'hello\n');

  // docker save style: uncompressed layer.tar files, the second one a symlink to the first.
  const layerTar = await tarOf([{ path: 'same', content: 'same' }]);
  const { createHash } = await import('node:crypto');
  const diffId = `sha256:${createHash('sha256').update(layerTar).digest('hex')}`;
  const cfg = Buffer.from(JSON.stringify({ architecture: ARCH, os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffId, diffId] } }));
  const cfgHex = createHash('sha256').update(cfg).digest('hex');
  const archive = await tarOf([
    { path: `${cfgHex}.json`, content: cfg },
    { path: 'aaa/', dir: true },
    { path: 'aaa/layer.tar', content: layerTar },
    { path: 'bbb/', dir: true },
    { path: 'bbb/layer.tar', symlink: '../aaa/layer.tar' },
    { path: 'manifest.json', content: JSON.stringify([{ Config: `${cfgHex}.json`, RepoTags: ['dup:latest'], Layers: ['aaa/layer.tar', 'bbb/layer.tar'] }]) },
  ]);
  await writeFile(join(dir, 'saved.tar'), archive);
  const [saved] = await images.load(join(dir, 'saved.tar'));
  assert.deepEqual(saved?.names, ['docker.io/library/dup:latest']);
  assert.equal(saved?.id, `sha256:${cfgHex}`);
  assert.equal(saved?.layers[0]?.mediaType, 'application/vnd.docker.image.rootfs.diff.tar');

  await writeFile(join(dir, 'junk.tar'), await tarOf([{ path: 'hello', content: 'x' }]));
  await assert.rejects(
    images.load(join(dir, 'junk.tar')),
    (err: unknown) => err instanceof PeapodError && err.code === 'InvalidArgument' && /neither an OCI image layout/.test(err.message),
  );
  await assert.rejects(images.load(join(dir, 'absent.tar')), (err: unknown) => err instanceof PeapodError && err.code === 'NotFound');
});
