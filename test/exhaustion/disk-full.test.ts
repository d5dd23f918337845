// The disk under the root filling up: peapod's root is a small ext4 filesystem in a file, loop-mounted
// before the daemon starts, and a filler file takes most of it. A pull that runs out of space while it
// downloads, then one that runs out while it unpacks, must fail saying "no space left on device", list no
// image and leave nothing half-written in the image store; a pod of that image shows ErrImagePull /
// ImagePullBackOff with the reason; once the filler is gone the pull succeeds and the pod runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { paths, type PeapodConfig } from '../../src/common/config.js';
import { runUnchecked } from '../../src/host/exec.js';
import { listMounts } from '../../src/host/mount.js';
import { hostPlatform } from '../../src/image/platform.js';
import { COMPLETION_MARKER } from '../../src/image/snapshots/snapshotter.js';
import { runCli } from '../helpers/cli.js';
import { busyboxLayout, startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assertNoLeaks, formatLeaks, listHostObjects } from '../helpers/leaks.js';
import { makeTestRoots, type TestRoots } from '../helpers/roots.js';
import { waitFor } from '../helpers/wait.js';
import { buildImage, buildLayer, pseudoRandom, type BuiltImage, type BuiltLayer } from '../image/helpers/build.js';
import { pushImage } from '../image/helpers/push.js';
import { startRegistry, type Registry } from '../image/helpers/registry.js';
import { applyManifest, busyboxPod, deletePods, getPod, SETTLE_MS, waitDescribed, waitRunning } from './common.js';

const FS_SIZE_MB = 160;
/**
 * Incompressible layers on top of busybox: ~42 MB of blobs, as much again unpacked. One big layer, so
 * that with room for the blobs alone it is its unpack that fails, never a download running beside it.
 */
const RANDOM_LAYERS_MB = { big: 40, small: 1 } as const;
const MB = 1024 * 1024;
/** What a full disk leaves free: room for records and events, not for a layer. */
const SLACK_BYTES = 12 * MB;
const PULL_TIMEOUT_MS = 120_000;

async function sh(cmd: string, args: readonly string[]): Promise<void> {
  const r = await runUnchecked(cmd, args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
}

/** A 160 MB ext4 filesystem in <dir>/disk.img, loop-mounted at the roots' config.root. */
async function mountSmallRoot(roots: TestRoots): Promise<void> {
  const image = join(roots.dir, 'disk.img');
  const root = roots.config.root;
  await sh('truncate', ['-s', `${FS_SIZE_MB}M`, image]);
  await sh('mkfs.ext4', ['-q', '-F', image]);
  await mkdir(root, { recursive: true });
  await sh('mount', ['-o', 'loop', image, root]);
}

async function unmountSmallRoot(roots: TestRoots): Promise<void> {
  if ((await listMounts(roots.config.root)).length > 0) {
    const r = await runUnchecked('umount', [roots.config.root], { timeoutMs: 30_000 });
    if (r.code !== 0) await runUnchecked('umount', ['-l', roots.config.root], { timeoutMs: 10_000 });
  }
  // mount -o loop sets autoclear, but a lazy unmount keeps the device until its last user goes. Asked
  // only now, so a device freed meanwhile and taken by someone else is not detached under them.
  const loops = await runUnchecked('losetup', ['-n', '-O', 'NAME', '-j', join(roots.dir, 'disk.img')], { timeoutMs: 10_000 });
  for (const dev of loops.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')) {
    await runUnchecked('losetup', ['-d', dev], { timeoutMs: 10_000 });
  }
}

/** busybox's own layer (so the pod can run) and the layers of random bytes. */
async function buildBigImage(roots: TestRoots): Promise<BuiltImage> {
  const layout = await busyboxLayout(roots);
  const blob = (digest: string): Promise<Buffer> => readFile(join(layout, 'blobs', 'sha256', digest.replace('sha256:', '')));
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse((await blob(index.manifests[0]?.digest ?? '')).toString()) as {
    config: { digest: string };
    layers: { digest: string; mediaType: string }[];
  };
  const config = JSON.parse((await blob(manifest.config.digest)).toString()) as { rootfs: { diff_ids: string[] } };
  const base = manifest.layers[0];
  assert.ok(base, 'the busybox image has a layer');
  const busybox: BuiltLayer = { digest: base.digest, bytes: await blob(base.digest), mediaType: base.mediaType, diffId: config.rootfs.diff_ids[0] ?? '' };
  const random = await Promise.all(
    Object.entries(RANDOM_LAYERS_MB).map(([n, mb]) =>
      buildLayer([
        { path: `${n}/`, dir: true },
        { path: `${n}/random.bin`, content: pseudoRandom(mb * MB, `exhaustion-${n}`) },
      ]),
    ),
  );
  return buildImage([busybox, ...random], { architecture: hostPlatform().architecture, cmd: ['sh'], env: ['PATH=/bin'] });
}

/** Fills the filesystem with <root>/filler until `leave` bytes are free (for root, which ext4's reserve does not stop). */
async function fillTo(root: string, leave: number): Promise<void> {
  const filler = join(root, 'filler');
  await rm(filler, { force: true });
  const fs = await statfs(root);
  const free = fs.bfree * fs.bsize;
  assert.ok(free > leave, `${free} bytes free, more than the ${leave} to leave`);
  await sh('fallocate', ['-l', String(free - leave), filler]);
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * What a failed pull must not leave: partial downloads in ingest/, temp files, blobs whose content is not
 * their digest, staging or half-removed snapshot dirs, snapshots without their completion marker.
 */
async function halfWritten(config: PeapodConfig): Promise<string[]> {
  const p = paths(config);
  const out: string[] = [];
  const files = async (dir: string): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
    return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name));
  };
  for (const f of await files(p.ingest)) out.push(`partial download ${f} (${(await stat(f)).size} bytes)`);
  for (const f of await files(p.images)) if (/\.tmp$/.test(f) && !f.startsWith(p.ingest)) out.push(`temp file ${f}`);
  const blobDir = join(p.blobs, 'sha256');
  for (const name of await readdir(blobDir).catch(() => [])) {
    if ((await sha256File(join(blobDir, name))) !== name) out.push(`blob ${name} does not hash to its name`);
  }
  for (const name of await readdir(p.snapshots).catch(() => [])) {
    if (name.startsWith('.')) out.push(`snapshot leftover ${name}`);
    else if (!(await stat(join(p.snapshots, name, COMPLETION_MARKER)).catch(() => undefined))) out.push(`snapshot ${name} without ${COMPLETION_MARKER}`);
  }
  return out;
}

async function imageListed(env: NodeJS.ProcessEnv, ref: string): Promise<boolean> {
  const r = await runCli(env, ['images', '-o', 'json']);
  assert.equal(r.code, 0, `peapod images: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { names?: string[] }[]).some((i) => (i.names ?? []).some((n) => n === ref || n.endsWith(ref)));
}

/** Pulls `ref` expecting ENOSPC; returns the CLI's error. */
async function failedPull(env: NodeJS.ProcessEnv, config: PeapodConfig, ref: string, phase: string): Promise<string> {
  const started = Date.now();
  const r = await runCli(env, ['pull', ref], { timeoutMs: PULL_TIMEOUT_MS });
  assert.notEqual(r.code, 0, `the pull failed when the disk filled during ${phase}`);
  assert.match(r.stderr, /no space left on device/i, `the error says the disk is full (${phase}): ${r.stderr}`);
  assert.ok(Date.now() - started < PULL_TIMEOUT_MS / 2, `the pull gave up promptly (${Date.now() - started} ms)`);
  assert.equal(await imageListed(env, ref), false, `no image is listed after the failed pull (${phase})`);
  assert.deepEqual(await halfWritten(config), [], `nothing half-written in the image store (${phase})`);
  return r.stderr.trim();
}

test(
  'disk full during pull and unpack: clear ENOSPC errors, nothing half-written, and the pull and pod recover once space is freed',
  { timeout: 400_000 },
  async (t) => {
    const roots = await makeTestRoots();
    const env = roots.env();
    const config = roots.config;
    const started: { daemon?: TestDaemon; registry?: Registry } = {};
    // Even after a failure: the daemon stops before its root is unmounted (and the loop device detached).
    t.after(async () => {
      await started.daemon?.stop();
      await started.registry?.stop();
      await unmountSmallRoot(roots);
      await roots.cleanup();
    });
    await mountSmallRoot(roots);
    const registry = (started.registry = await startRegistry());
    const image = await buildBigImage(roots);
    await pushImage(registry.host, 'exhaustion/big', 'v1', image);
    const ref = `${registry.host}/exhaustion/big:v1`;
    const blobBytes = image.blobs.reduce((sum, b) => sum + b.bytes.length, 0);
    const daemon = (started.daemon = await startDaemon(roots));

    // 1. No room for the layers: the download fails.
    await fillTo(config.root, SLACK_BYTES);
    const downloadError = await failedPull(env, config, ref, 'the download');
    t.diagnostic(`pull, disk full while downloading: ${downloadError}`);
    assert.match(downloadError, /blob sha256:[0-9a-f]{64}/, 'the error names the blob it could not store');

    // 2. Room for the blobs but not for unpacking them: the unpack fails.
    await rm(join(config.root, 'filler'));
    await fillTo(config.root, blobBytes + SLACK_BYTES);
    const unpackError = await failedPull(env, config, ref, 'the unpack');
    t.diagnostic(`pull, disk full while unpacking: ${unpackError}`);
    assert.match(unpackError, /layer sha256:[0-9a-f]{64}: writing the snapshot failed/, 'the error names the layer it could not unpack');

    // A pod of the image, the disk still full: it waits for its image, saying why.
    await applyManifest(roots, env, 'big', busyboxPod('big', ref));
    const text = await waitDescribed(
      env,
      'big',
      /(ErrImagePull|ImagePullBackOff)[\s\S]*no space left on device/i,
      'the pod to report the failed pull with its reason',
    );
    t.diagnostic(
      text
        .split('\n')
        .find((l) => /Failed to pull/.test(l))
        ?.trim() ?? '',
    );
    const pod = await getPod(env, 'big');
    assert.equal(pod?.status?.phase, 'Pending');
    const waiting = pod?.status?.containerStatuses?.[0]?.state.waiting;
    assert.match(waiting?.reason ?? '', /^(ErrImagePull|ImagePullBackOff)$/);
    assert.match(waiting?.message ?? '', /no space left on device/i);
    assert.equal(await imageListed(env, ref), false, "the pod's failed pulls list no image either");

    // 3. Space again: the pull succeeds, and so does the pod's next attempt.
    await rm(join(config.root, 'filler'));
    const pulled = await runCli(env, ['pull', ref], { timeoutMs: PULL_TIMEOUT_MS });
    assert.equal(pulled.code, 0, `the pull succeeds once space is freed: ${pulled.stderr}`);
    assert.ok(await imageListed(env, ref), 'the image is listed');
    await waitRunning(env, 'big', 'the pod to run once its image could be pulled');

    await deletePods(env, ['big']);
    assert.deepEqual(await halfWritten(config), []);
    const rmi = await runCli(env, ['rmi', ref]);
    assert.equal(rmi.code, 0, `peapod rmi: ${rmi.stderr}`);
    await daemon.stop();
    // The loop mount at config.root is the test's own; everything else must be gone before it goes.
    await waitFor(
      async () => {
        const objects = await listHostObjects(config);
        return formatLeaks({ ...objects, mounts: objects.mounts.filter((m) => !m.startsWith(`${config.root} (ext4`)) }) === '';
      },
      { timeoutMs: SETTLE_MS / 10, intervalMs: 200, description: "nothing but the test's own mount left on the host" },
    ).catch(async (err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${formatLeaks(await listHostObjects(config))}`);
    });
    await unmountSmallRoot(roots);
    await assertNoLeaks(config);
  },
);
