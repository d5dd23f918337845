// The offline busybox image builder: a valid OCI layout (umoci and skopeo read it), deterministic,
// idempotent, also as a tar, and its layer unpacks with the Snapshotter into a runnable /bin/sh.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Snapshotter } from '../../src/image/snapshots/snapshotter.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/build-busybox-image.js', import.meta.url));
const skip = process.getuid?.() === 0 ? false : 'needs root: the layer is unpacked with lchown';

function build(...args: string[]): string {
  return execFileSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', timeout: 60_000 }).trim();
}

interface Descriptor {
  digest: string;
  mediaType: string;
  annotations?: Record<string, string>;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

test('builds a deterministic OCI layout that umoci and skopeo read, and its layer runs', { skip }, async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'peapod-bbimg-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const out = join(root, 'oci');
  const digest = build('--out', out, '--tar', join(root, 'oci.tar'));
  assert.match(digest, /^sha256:[0-9a-f]{64}$/);

  // Idempotent: the stamp short-cuts a rebuild, and the layout is not rewritten.
  const before = await stat(join(out, 'index.json'));
  assert.equal(build('--out', out), digest);
  assert.equal((await stat(join(out, 'index.json'))).mtimeMs, before.mtimeMs);
  // Deterministic: a fresh build elsewhere gives the same digest, the tar the same layout.
  assert.equal(build('--out', join(root, 'again')), digest);
  assert.deepEqual(await readFile(join(root, 'again', 'index.json')), await readFile(join(out, 'index.json')));

  const index = await readJson<{ manifests: Descriptor[] }>(join(out, 'index.json'));
  assert.equal(index.manifests.length, 1);
  assert.equal(index.manifests[0]?.digest, digest);
  assert.equal(index.manifests[0]?.annotations?.['io.containerd.image.name'], 'docker.io/library/busybox:latest');
  assert.equal(index.manifests[0]?.annotations?.['org.opencontainers.image.ref.name'], 'latest');

  const umoci = execFileSync('umoci', ['stat', '--image', `${out}:latest`], { encoding: 'utf8' });
  assert.match(umoci, /peapod build-busybox-image/);
  const inspect = JSON.parse(execFileSync('skopeo', ['inspect', `oci:${out}`], { encoding: 'utf8' })) as {
    Digest: string;
    Os: string;
    Env: string[];
    Layers: string[];
  };
  assert.equal(inspect.Digest, digest);
  assert.equal(inspect.Os, 'linux');
  assert.deepEqual(inspect.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
  assert.equal(inspect.Layers.length, 1);
  const fromTar = JSON.parse(execFileSync('skopeo', ['inspect', `oci-archive:${join(root, 'oci.tar')}`], { encoding: 'utf8' })) as { Digest: string };
  assert.equal(fromTar.Digest, digest);

  const blob = (d: string): string => join(out, 'blobs/sha256', d.slice(7));
  const manifest = await readJson<{ config: Descriptor; layers: Descriptor[] }>(blob(digest));
  const config = await readJson<{ config: { Cmd: string[] }; rootfs: { diff_ids: string[] } }>(blob(manifest.config.digest));
  assert.deepEqual(config.config.Cmd, ['sh']);
  const [layer] = manifest.layers;
  const [diffId] = config.rootfs.diff_ids;
  assert.ok(layer !== undefined && diffId !== undefined);

  const snaps = new Snapshotter(join(root, 'snapshots'));
  const [fs = ''] = await snaps.ensure([{ diffId, blobPath: blob(layer.digest), mediaType: layer.mediaType }]);
  const sh = join(fs, 'bin/sh');
  assert.equal((await stat(sh)).ino, (await stat(join(fs, 'bin/busybox'))).ino, 'applets are hard links to busybox');
  assert.equal(execFileSync(sh, ['-c', 'echo $((6 * 7))'], { encoding: 'utf8' }).trim(), '42');
  assert.equal((await stat(join(fs, 'tmp'))).mode & 0o7777, 0o1777);
  assert.match(await readFile(join(fs, 'etc/passwd'), 'utf8'), /^root:x:0:0:/m);
  assert.match(await readFile(join(fs, 'etc/passwd'), 'utf8'), /^nobody:x:65534:65534:/m);
  for (const d of ['dev', 'proc', 'sys', 'root', 'var/www']) assert.ok((await stat(join(fs, d))).isDirectory(), d);
});
