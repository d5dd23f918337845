// Two unpacked layers mounted as a real overlayfs: the upper layer's whiteout and opaque directory
// must hide what the lower layer has, exactly as the kernel reads the objects the snapshotter wrote.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Snapshotter } from '../../src/image/snapshots/snapshotter.js';
import { writeLayer } from '../../src/image/snapshots/testing.js';

const skip = process.getuid?.() === 0 ? false : 'needs root to mount overlayfs';

test('overlayfs over two unpacked layers hides whited-out files and opaque directories', { skip }, async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'peapod-ovl-'));
  const merged = join(root, 'merged');
  let mounted = false;
  t.after(async () => {
    if (mounted) execFileSync('umount', [merged]);
    await rm(root, { recursive: true, force: true });
  });
  const lower = await writeLayer(root, [
    { name: 'etc/hosts', content: 'lower hosts' },
    { name: 'etc/keep', content: 'kept' },
    { name: 'var/cache/a', content: 'a' },
    { name: 'var/cache/b/deep', content: 'b' },
    { name: 'top', content: 'top' },
    { name: 'bin/tool', content: 'v1', mode: 0o755 },
  ]);
  const upper = await writeLayer(root, [
    { name: 'etc/.wh.hosts' },
    { name: 'var/cache/.wh..wh..opq' },
    { name: 'var/cache/new', content: 'new' },
    { name: '.wh.top' },
    { name: 'bin/tool', content: 'v2', mode: 0o755 },
  ]);
  const snaps = new Snapshotter(join(root, 'snapshots'));
  const [lowerDir = '', upperDir = ''] = await snaps.ensure([lower, upper]);
  const rw = join(root, 'rw');
  const work = join(root, 'work');
  for (const d of [merged, rw, work]) await mkdir(d);
  // lowerdir lists the top-most layer first.
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${upperDir}:${lowerDir},upperdir=${rw},workdir=${work}`, merged]);
  mounted = true;

  assert.deepEqual((await readdir(join(merged, 'etc'))).sort(), ['keep']);
  await assert.rejects(access(join(merged, 'etc/hosts')), /ENOENT/);
  assert.deepEqual(await readdir(join(merged, 'var/cache')), ['new']);
  await assert.rejects(access(join(merged, 'top')), /ENOENT/);
  assert.equal(await readFile(join(merged, 'bin/tool'), 'utf8'), 'v2');
  assert.equal(await readFile(join(merged, 'etc/keep'), 'utf8'), 'kept');
  // The layers stay untouched when the container writes: changes land in the upper dir.
  await writeFile(join(merged, 'etc/hosts'), 'container hosts');
  assert.equal(await readFile(join(merged, 'etc/hosts'), 'utf8'), 'container hosts');
  assert.equal(await readFile(join(lowerDir, 'etc/hosts'), 'utf8'), 'lower hosts');

  execFileSync('umount', [merged]);
  mounted = false;
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  assert.ok(!mounts.includes(merged), 'unmounted');
});
