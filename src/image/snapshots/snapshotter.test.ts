// Snapshotter and unpack on real temp dirs, as root (mknod, lchown and trusted.* xattrs need it).
import { execFileSync } from 'node:child_process';
import { watch } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { errorCode } from '../../common/errors.js';
import { getXattr } from '../../host/layer-fs.js';
import { MT } from '../media-types.js';
import { COMPLETION_MARKER, Snapshotter, chainIds } from './snapshotter.js';
import { FIXTURE_MTIME, buildTar, sha256, writeLayer } from './testing.js';
import { unpackLayer } from './unpack.js';

const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root: mknod, lchown and trusted.* xattrs';

async function tempRoot(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'peapod-snap-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('chainIds follows the OCI image-spec formula (values computed with sha256sum)', () => {
  const a = 'sha256:c6f988f4874bb0add23a778f753c65efe992244e148a1d2ec2a8b664fb66bbd1';
  const b = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';
  // printf '%s %s' $a $b | sha256sum ; then printf '%s %s' $ab $a | sha256sum
  const ab = 'sha256:c3191d32a37d7159b2e30830937d2e30268ad6c375a773a8994911a3aba9b93f';
  const aba = 'sha256:ce60e381e7c2941cc3c11bc7a60b267bb56a3be80df231da8c523c53af72518b';
  assert.deepEqual(chainIds([]), []);
  assert.deepEqual(chainIds([a]), [a]);
  assert.deepEqual(chainIds([a, b, a]), [a, ab, aba]);
  assert.throws(
    () => chainIds(['sha256:xyz']),
    (e: unknown) => errorCode(e) === 'InvalidArgument',
  );
});

test('files, modes, ownership, times, symlinks, hard links and directories', { skip }, async (t) => {
  const root = await tempRoot(t);
  const layer = await writeLayer(root, [
    { name: './', type: 'directory', mode: 0o755 },
    { name: 'bin/', type: 'directory', mode: 0o711, uid: 7, gid: 8 },
    { name: 'bin/tool', content: '#!/bin/sh\necho hi\n', mode: 0o4755, uid: 0, gid: 0 },
    { name: 'bin/sgid', content: 'x', mode: 0o2755, uid: 1000, gid: 1000 },
    { name: 'bin/same', type: 'link', linkname: 'bin/tool' },
    { name: './bin/../etc/conf', content: 'a=1', mode: 0o640, uid: 33, gid: 44 },
    { name: 'etc/link', type: 'symlink', linkname: '../bin/tool', uid: 5, gid: 6 },
    { name: 'etc/abs', type: 'symlink', linkname: '/etc/passwd' },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
    { name: 'ro/', type: 'directory', mode: 0o555 },
    { name: 'ro/inside', content: 'still written' },
    { name: 'deep/a/b/c', content: 'implicit parents' },
    { name: 'replaced', type: 'directory' },
    { name: 'replaced/child', content: 'gone' },
    { name: 'replaced', content: 'now a file' },
    { name: 'twice', content: 'first' },
    { name: 'twice', content: 'second' },
    { name: 'fifo', type: 'fifo', mode: 0o600 },
  ]);
  const snaps = new Snapshotter(join(root, 'snapshots'));
  const [fs] = await snaps.ensure([layer]);
  assert.ok(fs !== undefined && fs.endsWith('/fs'));
  const tool = await stat(join(fs, 'bin/tool'));
  assert.equal(tool.mode & 0o7777, 0o4755);
  assert.equal((await stat(join(fs, 'bin/sgid'))).mode & 0o7777, 0o2755);
  assert.equal((await stat(join(fs, 'bin/sgid'))).uid, 1000);
  assert.equal(tool.mtime.getTime(), FIXTURE_MTIME.getTime());
  assert.equal((await stat(join(fs, 'bin/same'))).ino, tool.ino, 'hard link shares the inode');
  assert.equal(tool.nlink, 2);
  const conf = await stat(join(fs, 'etc/conf'));
  assert.deepEqual([conf.mode & 0o777, conf.uid, conf.gid], [0o640, 33, 44]);
  assert.equal(await readFile(join(fs, 'etc/conf'), 'utf8'), 'a=1');
  assert.equal(await readlink(join(fs, 'etc/link')), '../bin/tool');
  assert.deepEqual([(await lstat(join(fs, 'etc/link'))).uid, (await lstat(join(fs, 'etc/link'))).gid], [5, 6]);
  assert.equal(await readlink(join(fs, 'etc/abs')), '/etc/passwd');
  const bin = await stat(join(fs, 'bin'));
  assert.deepEqual([bin.mode & 0o7777, bin.uid, bin.gid], [0o711, 7, 8]);
  assert.equal(bin.mtime.getTime(), FIXTURE_MTIME.getTime(), 'directory times set after its contents');
  assert.equal((await stat(join(fs, 'tmp'))).mode & 0o7777, 0o1777);
  assert.equal((await stat(join(fs, 'ro'))).mode & 0o777, 0o555);
  assert.equal(await readFile(join(fs, 'ro/inside'), 'utf8'), 'still written');
  assert.equal(await readFile(join(fs, 'deep/a/b/c'), 'utf8'), 'implicit parents');
  assert.equal(await readFile(join(fs, 'replaced'), 'utf8'), 'now a file');
  assert.equal(await readFile(join(fs, 'twice'), 'utf8'), 'second');
  assert.ok((await lstat(join(fs, 'fifo'))).isFIFO());
  assert.equal((await lstat(join(fs, 'fifo'))).mode & 0o777, 0o600);
  assert.deepEqual(await snaps.list(), [layer.diffId]);
  assert.equal(await snaps.dirOf(layer.diffId), fs);
  const again = await snaps.ensure([layer]);
  assert.deepEqual(again, [fs], 'a layer is unpacked once');
});

test('whiteouts become overlayfs objects: char device 0:0 and trusted.overlay.opaque', { skip }, async (t) => {
  const root = await tempRoot(t);
  const layer = await writeLayer(root, [
    { name: 'etc/', type: 'directory' },
    { name: 'etc/.wh.hosts', uid: 12, gid: 13 },
    { name: '.wh.top' },
    { name: 'var/cache/.wh..wh..opq' },
    { name: 'var/cache/kept', content: 'opaque dir keeps its own contents' },
    { name: '.wh.again' },
    { name: 'again', content: 'a later entry of the same layer wins over its whiteout' },
    { name: 'present', content: 'x' },
    { name: '.wh.present' },
    { name: '.wh.redone' },
    { name: 'redone/file', content: 'deleted then recreated: opaque' },
    { name: 'odd name\nwith newline/.wh..wh..opq' },
    { name: 'a/.wh..wh.plnk', content: 'aufs metadata, skipped' },
  ]);
  const snaps = new Snapshotter(join(root, 'snapshots'));
  const [fs = ''] = await snaps.ensure([layer]);
  for (const path of ['etc/hosts', 'top']) {
    const st = await lstat(join(fs, path));
    assert.ok(st.isCharacterDevice(), `${path} is a character device`);
    assert.equal(st.rdev, 0, `${path} is device 0:0`);
  }
  assert.deepEqual([(await lstat(join(fs, 'etc/hosts'))).uid, (await lstat(join(fs, 'etc/hosts'))).gid], [12, 13]);
  await assert.rejects(lstat(join(fs, 'etc/.wh.hosts')), /ENOENT/);
  assert.equal((await getXattr(join(fs, 'var/cache'), 'trusted.overlay.opaque'))?.toString(), 'y');
  assert.equal(await getXattr(join(fs, 'var'), 'trusted.overlay.opaque'), undefined);
  assert.equal(execFileSync('getfattr', ['--absolute-names', '--only-values', '-n', 'trusted.overlay.opaque', join(fs, 'var/cache')]).toString(), 'y');
  assert.equal(await readFile(join(fs, 'var/cache/kept'), 'utf8'), 'opaque dir keeps its own contents');
  assert.equal(await readFile(join(fs, 'again'), 'utf8'), 'a later entry of the same layer wins over its whiteout');
  assert.equal(await readFile(join(fs, 'present'), 'utf8'), 'x', 'a whiteout does not hide an entry of its own layer');
  assert.equal((await getXattr(join(fs, 'redone'), 'trusted.overlay.opaque'))?.toString(), 'y');
  assert.equal((await getXattr(join(fs, 'odd name\nwith newline'), 'trusted.overlay.opaque'))?.toString(), 'y');
  await assert.rejects(lstat(join(fs, 'a')), /ENOENT/, 'AUFS metadata entries are skipped entirely');
});

test('PAX xattrs: user and security.capability set, trusted.* dropped with a recorded warning', { skip }, async (t) => {
  const root = await tempRoot(t);
  // struct vfs_cap_data, revision 2, effective flag, permitted = CAP_NET_RAW (13): every byte < 0x80.
  const cap = Buffer.from([1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const layer = await writeLayer(root, [
    {
      name: 'bin/ping',
      content: 'x',
      pax: { 'SCHILY.xattr.user.note': 'hello', 'SCHILY.xattr.security.capability': cap.toString('utf8'), 'SCHILY.xattr.trusted.overlay.redirect': '/etc' },
    },
    { name: 'data', content: 'y', pax: { 'LIBARCHIVE.xattr.user.b64': Buffer.from('bytes\u00ff').toString('base64') } },
  ]);
  const snaps = new Snapshotter(join(root, 'snapshots'));
  const [fs = ''] = await snaps.ensure([layer]);
  assert.equal((await getXattr(join(fs, 'bin/ping'), 'user.note'))?.toString(), 'hello');
  assert.deepEqual(await getXattr(join(fs, 'bin/ping'), 'security.capability'), cap);
  assert.equal(await getXattr(join(fs, 'bin/ping'), 'trusted.overlay.redirect'), undefined);
  assert.deepEqual(await getXattr(join(fs, 'data'), 'user.b64'), Buffer.from('bytes\u00ff'));
  const marker = await snaps.marker(layer.diffId);
  assert.ok(
    marker?.warnings.some((w) => w.includes('trusted.overlay.redirect')),
    JSON.stringify(marker?.warnings),
  );
});

test('a wrong diffId fails with DataLoss naming both digests and leaves nothing', { skip }, async (t) => {
  const root = await tempRoot(t);
  const layer = await writeLayer(root, [{ name: 'a', content: 'a' }]);
  const wrong = sha256(Buffer.from('something else'));
  const snaps = new Snapshotter(join(root, 'snapshots'));
  await assert.rejects(snaps.ensure([{ ...layer, diffId: wrong }]), (err: unknown) => {
    assert.equal(errorCode(err), 'DataLoss');
    assert.match((err as Error).message, new RegExp(`${layer.diffId}.*${wrong}`));
    return true;
  });
  assert.deepEqual(await readdir(join(root, 'snapshots')), []);
  assert.equal(await snaps.dirOf(wrong), undefined);
});

test('compression is sniffed: plain tar labelled gzip, gzip, zstd (binary and fzstd)', { skip }, async (t) => {
  const root = await tempRoot(t);
  const tarBytes = await buildTar([{ name: 'hello', content: 'world'.repeat(10_000) }]);
  const diffId = sha256(tarBytes);
  const blobs = {
    plain: tarBytes,
    gzip: gzipSync(tarBytes),
    zstd: execFileSync('zstd', ['-q', '-c', '-'], { input: tarBytes }),
  };
  for (const [kind, blob] of Object.entries(blobs)) {
    for (const zstd of kind === 'zstd' ? (['binary', 'js'] as const) : (['binary'] as const)) {
      const blobPath = join(root, `blob-${kind}`);
      await writeFile(blobPath, blob);
      const dest = join(root, `out-${kind}-${zstd}`);
      await mkdir(dest);
      const r = await unpackLayer({ blobPath, mediaType: kind === 'zstd' ? MT.ociLayerZstd : MT.dockerLayerGzip, expectedDiffId: diffId, dest, zstd });
      assert.equal(r.compression, kind === 'plain' ? 'none' : kind);
      assert.equal(r.size, tarBytes.length);
      assert.equal(await readFile(join(dest, 'hello'), 'utf8'), 'world'.repeat(10_000));
    }
  }
  const corrupt = join(root, 'corrupt');
  await writeFile(corrupt, Buffer.concat([blobs.zstd.subarray(0, 20), Buffer.alloc(40)]));
  await mkdir(join(root, 'out-corrupt'));
  await assert.rejects(unpackLayer({ blobPath: corrupt, mediaType: MT.ociLayerZstd, expectedDiffId: diffId, dest: join(root, 'out-corrupt') }));
  await assert.rejects(
    unpackLayer({ blobPath: corrupt, mediaType: MT.ociLayerNonDistributableGzip, expectedDiffId: diffId, dest: join(root, 'out-corrupt') }),
    (e: unknown) => errorCode(e) === 'Unimplemented',
  );
});

test('two concurrent ensure() calls share one unpack; progress counts every layer', { skip }, async (t) => {
  const root = await tempRoot(t);
  const l1 = await writeLayer(root, [{ name: 'one', content: '1' }]);
  const l2 = await writeLayer(root, [{ name: 'two', content: '2'.repeat(200_000) }]);
  const snaps = new Snapshotter(join(root, 'snapshots'));
  await mkdir(join(root, 'snapshots'));
  // inotify sees every staging directory created: one per layer when the work is shared, not one per call.
  const stagings = new Set<string>();
  const watcher = watch(join(root, 'snapshots'), (_event, name) => {
    if (name?.startsWith('.staging-') === true) stagings.add(name);
  });
  t.after(() => watcher.close());
  const progress: Array<[number, number]> = [];
  const [a, b] = await Promise.all([snaps.ensure([l1, l2], undefined, (d, n) => progress.push([d, n])), snaps.ensure([l1, l2])]);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(stagings.size, 2, `staging dirs: ${[...stagings].join(', ')}`);
  assert.deepEqual(a, b);
  assert.deepEqual(progress.at(-1), [2, 2]);
  const ids = chainIds([l1.diffId, l2.diffId]);
  assert.deepEqual(await snaps.list(), [...ids].sort());
  const names = await readdir(join(root, 'snapshots'));
  assert.equal(names.length, 2, `only the two snapshots remain: ${names.join(', ')}`);
  // A second Snapshotter (as after a daemon restart) racing on the same chain: the loser's rename fails and it adopts the winner.
  const other = new Snapshotter(join(root, 'snapshots'));
  await snaps.remove(ids[1] ?? '');
  const [x, y] = await Promise.all([snaps.ensure([l1, l2]), other.ensure([l1, l2])]);
  assert.deepEqual(x, y);
  assert.equal((await readdir(join(root, 'snapshots'))).length, 2);
});

test('crash leftovers are swept; remove is idempotent; an aborted ensure leaves nothing', { skip }, async (t) => {
  const root = await tempRoot(t);
  const snapRoot = join(root, 'snapshots');
  const layer = await writeLayer(root, [{ name: 'f', content: 'x' }]);
  const [id = ''] = chainIds([layer.diffId]);
  await mkdir(join(snapRoot, '.staging-deadbeef/fs/usr'), { recursive: true });
  await mkdir(join(snapRoot, `.removing-${'a'.repeat(64)}-1234/fs`), { recursive: true });
  await mkdir(join(snapRoot, `${'b'.repeat(64)}/fs`), { recursive: true }); // no completion marker
  const snaps = new Snapshotter(snapRoot);
  assert.deepEqual(await snaps.list(), []);
  assert.deepEqual(await readdir(snapRoot), []);
  await snaps.ensure([layer]);
  await stat(join(snapRoot, id.slice(7), COMPLETION_MARKER));
  await snaps.remove(id);
  await snaps.remove(id);
  assert.deepEqual(await readdir(snapRoot), []);
  const big = await writeLayer(
    root,
    Array.from({ length: 400 }, (_, i) => ({ name: `d/f${i}`, content: 'z'.repeat(4096) })),
  );
  const controller = new AbortController();
  const pending = snaps.ensure([big], controller.signal);
  setImmediate(() => controller.abort());
  await assert.rejects(pending, (e: unknown) => (e as Error).name === 'AbortError');
  assert.deepEqual(await readdir(snapRoot), []);
});
