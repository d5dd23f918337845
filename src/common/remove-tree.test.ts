import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTree } from './remove-tree.js';

async function gone(path: string): Promise<boolean> {
  return access(path).then(
    () => false,
    () => true,
  );
}

test('removeTree removes a nested tree, links unfollowed, and a file or nothing alike', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'remove-tree-'));
  try {
    const outside = join(dir, 'outside');
    await mkdir(join(outside, 'kept'), { recursive: true });
    await writeFile(join(outside, 'kept/file'), 'stays');
    const tree = join(dir, 'tree');
    await mkdir(join(tree, 'a/b/c'), { recursive: true });
    await mkdir(join(tree, 'empty'));
    await writeFile(join(tree, 'a/f1'), '1');
    await writeFile(join(tree, 'a/b/c/f2'), '2');
    // A link to a directory outside, and one to nothing: both go, what they name stays.
    await symlink(outside, join(tree, 'a/to-outside'));
    await symlink(join(dir, 'nowhere'), join(tree, 'a/b/dangling'));
    await removeTree(tree);
    assert.equal(await gone(tree), true);
    assert.deepEqual(await readdir(join(outside, 'kept')), ['file']);

    await writeFile(join(dir, 'plain'), 'x');
    await removeTree(join(dir, 'plain'));
    assert.equal(await gone(join(dir, 'plain')), true);
    await removeTree(join(dir, 'never-was'));
    // A link given as the path itself is unlinked; what it names stays, a missing target included.
    await symlink(outside, join(dir, 'top-link'));
    await removeTree(join(dir, 'top-link'));
    assert.equal(await gone(join(dir, 'top-link')), true);
    assert.deepEqual(await readdir(join(outside, 'kept')), ['file']);
    await symlink(join(dir, 'nowhere'), join(dir, 'dangling-top'));
    await removeTree(join(dir, 'dangling-top'));
    assert.deepEqual((await readdir(dir)).sort(), ['outside']);
    await removeTree(join(dir, 'never-was/below'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('removeTree unlinks a file, takes a directory found there whole, and ignores a missing one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'remove-file-'));
  try {
    await writeFile(join(dir, 'f'), 'x');
    await removeTree(join(dir, 'f'));
    assert.equal(await gone(join(dir, 'f')), true);
    await mkdir(join(dir, 'd/e'), { recursive: true });
    await writeFile(join(dir, 'd/e/g'), 'y');
    await removeTree(join(dir, 'd'));
    assert.equal(await gone(join(dir, 'd')), true);
    await removeTree(join(dir, 'missing'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('removeTree fails on what it cannot remove and leaves it', { skip: process.getuid?.() !== 0 && 'mounting needs root' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'remove-busy-'));
  const mnt = join(dir, 'busy/mnt');
  try {
    await mkdir(mnt, { recursive: true });
    await writeFile(join(dir, 'busy/file'), 'x');
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', mnt]);
    try {
      await assert.rejects(removeTree(join(dir, 'busy')), (err: NodeJS.ErrnoException) => err.code === 'EBUSY');
      assert.equal(await gone(mnt), false);
    } finally {
      execFileSync('umount', [mnt]);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
