// Image GC on a small loop-mounted root: with thresholds lowered to 60/40 % on a 128 MB filesystem,
// loading three images of 12 MB of random bytes each (blob plus unpacked copy) pushes the filesystem
// past 60 %; the daemon then removes unused images least recently used first until it is at most 40 %
// full, never the image a running pod uses, and says so in its log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { hostPlatform } from '../../src/image/platform.js';
import { fsUsage } from '../../src/kubelet/image-gc.js';
import { runCli } from '../helpers/cli.js';
import { loadBusybox, startDaemon } from '../helpers/daemon.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { makeTestRoots } from '../helpers/roots.js';
import { waitFor } from '../helpers/wait.js';
import { buildImage, buildLayer, pseudoRandom, type BuiltImage } from '../image/helpers/build.js';
import { mountSmallRoot, unmountSmallRoot } from './small-fs.js';

const MB = 1024 * 1024;
const HIGH = 60;
const LOW = 40;

async function writeLayout(dir: string, img: BuiltImage, name: string): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const blob of [img.manifest, ...img.blobs]) await writeFile(join(dir, 'blobs', 'sha256', blob.digest.slice(7)), blob.bytes);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const manifests = [
    { mediaType: img.manifest.mediaType, digest: img.manifest.digest, size: img.manifest.bytes.length, annotations: { 'io.containerd.image.name': name } },
  ];
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
}

test('image GC frees the image filesystem from the high to the low threshold, oldest unused first', { timeout: 180_000 }, async (t) => {
  const roots = await makeTestRoots({ imageGcHighPercent: HIGH, imageGcLowPercent: LOW, imageGcPeriodSeconds: 1 });
  t.after(() => roots.cleanup());
  await mountSmallRoot(roots, 128);
  t.after(() => unmountSmallRoot(roots));
  const daemon = await startDaemon(roots);
  t.after(() => daemon.stop().catch(() => undefined));
  const env = roots.env();
  await loadBusybox(roots);
  const snapshotDirs = async (): Promise<string[]> => (await readdir(join(roots.config.root, 'snapshots'))).filter((n) => /^[0-9a-f]{64}$/.test(n));
  const busyboxSnapshots = (await snapshotDirs()).length;
  await writeFile(
    join(roots.dir, 'keep.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata: {name: keep}\nspec:\n  containers: [{name: c, image: busybox, imagePullPolicy: IfNotPresent, command: ["sleep", "3600"]}]\n',
  );
  const applied = await runCli(env, ['apply', '-f', join(roots.dir, 'keep.yaml'), '--wait']);
  assert.equal(applied.code, 0, applied.stderr);

  const names = ['gc-a', 'gc-b', 'gc-c'];
  for (const name of names) {
    const layer = await buildLayer([{ path: 'random.bin', content: pseudoRandom(12 * MB, name) }]);
    const dir = join(roots.dir, `layout-${name}`);
    await writeLayout(dir, buildImage([layer], { architecture: hostPlatform().architecture }), `docker.io/library/${name}:latest`);
    const r = await runCli(env, ['load', '-i', dir]);
    assert.equal(r.code, 0, r.stderr);
    await delay(1100); // distinct storedAt seconds: the order GC must follow
  }
  const listed = async (): Promise<string> => (await runCli(env, ['images'])).stdout;
  await waitFor(async () => (await fsUsage(roots.config.root)).usedPercent <= LOW && /image GC: /.test(daemon.output()), {
    timeoutMs: 60_000,
    description: `the root to be at most ${LOW}% full`,
  });
  const images = await listed();
  t.diagnostic(
    `after GC: ${(await fsUsage(roots.config.root)).usedPercent}% used; ${daemon
      .output()
      .split('\n')
      .filter((l) => l.includes('image GC'))
      .join(' | ')}`,
  );
  assert.match(images, /busybox/, 'the image a running pod uses stays');
  assert.doesNotMatch(images, /gc-a/, 'the least recently used image goes first');
  assert.match(images, /gc-c/, 'the newest image stays: removing it was not needed');
  assert.equal((await snapshotDirs()).length, busyboxSnapshots + 1, "the removed images' unpacked layers went with them");

  assert.equal((await runCli(env, ['delete', 'pod', 'keep', '--now'])).code, 0);
  await daemon.stop();
  await unmountSmallRoot(roots);
  await assertNoLeaks(roots.config);
});
