// A corpus of hostile layers, built with tar-stream: each must be refused with an InvalidArgument
// error naming the entry, write nothing outside the snapshot root (a canary directory stays as it
// was), and leave no staging directory behind.
import { readdir, readFile, lstat, mkdir, mkdtemp, rm, writeFile, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCode } from '../../common/errors.js';
import { Snapshotter } from './snapshotter.js';
import { writeLayer } from './testing.js';
import type { TarEntry } from './testing.js';

const skip = process.getuid?.() === 0 ? false : 'needs root: the layers are unpacked with lchown and mknod';

interface Case {
  readonly title: string;
  readonly entries: (canary: string) => TarEntry[];
  /** Text the error message must contain (the offending entry). */
  readonly names: string;
}

const cases: readonly Case[] = [
  { title: 'parent-relative path', names: '../../../canary/pwned', entries: () => [{ name: '../../../canary/pwned', content: 'x' }] },
  {
    title: 'dot-dot after a real dir',
    names: 'etc/../../x',
    entries: () => [
      { name: 'etc/', type: 'directory' },
      { name: 'etc/../../x', content: 'x' },
    ],
  },
  { title: 'deeply nested dot-dot', names: 'a/b/c/../../../../canary/pwned', entries: () => [{ name: 'a/b/c/../../../../canary/pwned', content: 'x' }] },
  { title: 'dot segments climbing', names: './a/./../.././canary/pwned', entries: () => [{ name: './a/./../.././canary/pwned', content: 'x' }] },
  { title: 'absolute path', names: 'canary/pwned', entries: (c) => [{ name: join(c, 'pwned'), content: 'x' }] },
  { title: 'absolute directory', names: '/etc', entries: () => [{ name: '/etc/', type: 'directory' }] },
  {
    title: 'symlink to an absolute dir, then a write through it',
    names: 'a/evil',
    entries: (c) => [
      { name: 'a', type: 'symlink', linkname: c },
      { name: 'a/evil', content: 'x' },
    ],
  },
  {
    title: 'relative symlink escaping the root',
    names: 'a',
    entries: () => [
      { name: 'a', type: 'symlink', linkname: '../..' },
      { name: 'a/evil', content: 'x' },
    ],
  },
  { title: 'nested relative symlink escaping', names: 'x/y/up', entries: () => [{ name: 'x/y/up', type: 'symlink', linkname: '../../../canary' }] },
  {
    title: 'write through an in-layer symlink',
    names: 'link/file',
    entries: () => [
      { name: 'real/', type: 'directory' },
      { name: 'link', type: 'symlink', linkname: 'real' },
      { name: 'link/file', content: 'x' },
    ],
  },
  {
    title: 'directory replaced by a symlink, then written through',
    names: 'd/pwned',
    entries: (c) => [
      { name: 'd/', type: 'directory' },
      { name: 'd', type: 'symlink', linkname: c },
      { name: 'd/pwned', content: 'x' },
    ],
  },
  { title: 'whiteout through a symlink', names: 's/.wh.victim', entries: (c) => [{ name: 's', type: 'symlink', linkname: c }, { name: 's/.wh.victim' }] },
  {
    title: 'opaque marker through a symlink',
    names: 's/.wh..wh..opq',
    entries: (c) => [{ name: 's', type: 'symlink', linkname: c }, { name: 's/.wh..wh..opq' }],
  },
  { title: 'whiteout climbing out', names: '../.wh.canary', entries: () => [{ name: '../.wh.canary' }] },
  { title: 'whiteout of ".."', names: '.wh...', entries: () => [{ name: 'dir/.wh...' }] },
  { title: 'hard link to /etc/passwd', names: '/etc/passwd', entries: () => [{ name: 'passwd', type: 'link', linkname: '/etc/passwd' }] },
  { title: 'hard link to ../x', names: '../x', entries: () => [{ name: 'x', type: 'link', linkname: '../x' }] },
  { title: 'hard link to a missing entry', names: 'nothere', entries: () => [{ name: 'x', type: 'link', linkname: 'nothere' }] },
  {
    title: 'hard link through a symlink',
    names: 's/passwd',
    entries: () => [
      { name: 's', type: 'symlink', linkname: '/etc' },
      { name: 'h', type: 'link', linkname: 's/passwd' },
    ],
  },
  {
    title: 'hard link replacing its own parent',
    names: 'tar entry "d"',
    entries: () => [
      { name: 'd/f', content: 'x' },
      { name: 'd', type: 'link', linkname: 'd/f' },
    ],
  },
  {
    title: 'hard link to a directory',
    names: 'dir',
    entries: () => [
      { name: 'dir/', type: 'directory' },
      { name: 'h', type: 'link', linkname: 'dir' },
    ],
  },
  {
    title: 'the root replaced by a file',
    names: '"./"',
    entries: () => [
      { name: 'a', content: 'x' },
      { name: './', content: 'x' },
    ],
  },
  {
    title: 'the root replaced by a hard link',
    names: '"."',
    entries: () => [
      { name: 'a', content: 'x' },
      { name: '.', type: 'link', linkname: 'a' },
    ],
  },
  { title: 'character device', names: 'dev/null', entries: () => [{ name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 }] },
  { title: 'block device', names: 'dev/sda', entries: () => [{ name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 }] },
  { title: 'NUL byte in a PAX path', names: 'ok\\x00/../../../canary/pwned', entries: () => [{ name: 'ok\0/../../../canary/pwned', content: 'x', pax: {} }] },
];

async function setup(t: { after: (fn: () => Promise<void>) => void }): Promise<{ root: string; canary: string; snaps: Snapshotter }> {
  const root = await mkdtemp(join(tmpdir(), 'peapod-hostile-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const canary = join(root, 'canary');
  await mkdir(canary);
  await writeFile(join(canary, 'victim'), 'untouched');
  return { root, canary, snaps: new Snapshotter(join(root, 'snapshots')) };
}

async function assertCanaryIntact(canary: string): Promise<void> {
  assert.deepEqual(await readdir(canary), ['victim']);
  assert.equal(await readFile(join(canary, 'victim'), 'utf8'), 'untouched');
  assert.ok((await lstat(join(canary, 'victim'))).isFile());
}

for (const c of cases) {
  test(`refuses a layer with: ${c.title}`, { skip }, async (t) => {
    const { root, canary, snaps } = await setup(t);
    const layer = await writeLayer(root, c.entries(canary));
    await assert.rejects(snaps.ensure([layer]), (err: unknown) => {
      assert.equal(errorCode(err), 'InvalidArgument', String(err));
      assert.ok((err as Error).message.includes(c.names), `"${(err as Error).message}" names ${c.names}`);
      return true;
    });
    await assertCanaryIntact(canary);
    assert.deepEqual(await readdir(join(root, 'snapshots')), [], 'no staging or snapshot directory is left');
    assert.deepEqual(await snaps.list(), []);
  });
}

test('a file entry replaces a symlink instead of writing through it', { skip }, async (t) => {
  const { root, canary, snaps } = await setup(t);
  const layer = await writeLayer(root, [
    { name: 's', type: 'symlink', linkname: join(canary, 'victim') },
    { name: 's', content: 'replaced the link' },
    { name: 'h', type: 'symlink', linkname: join(canary, 'victim') },
    { name: 'h2', type: 'link', linkname: 'h' },
  ]);
  const [fs = ''] = await snaps.ensure([layer]);
  assert.equal(await readFile(join(fs, 's'), 'utf8'), 'replaced the link');
  assert.ok((await lstat(join(fs, 's'))).isFile());
  // A hard link to a symlink links the symlink itself (linkat without AT_SYMLINK_FOLLOW).
  assert.ok((await lstat(join(fs, 'h2'))).isSymbolicLink());
  assert.equal(await readlink(join(fs, 'h2')), join(canary, 'victim'));
  await assertCanaryIntact(canary);
});
