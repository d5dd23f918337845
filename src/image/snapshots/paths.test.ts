import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCode } from '../../common/errors.js';
import { ancestors, checkSymlinkTarget, isWithin, normalizeEntryName, normalizeHardLinkTarget, parseWhiteout } from './paths.js';

const refused = (fn: () => unknown, pattern: RegExp): void => {
  assert.throws(fn, (e: unknown) => errorCode(e) === 'InvalidArgument' && pattern.test((e as Error).message));
};

test('entry names are normalised inside the root, or refused', () => {
  const ok: Array<[string, string]> = [
    ['./', '.'],
    ['.', '.'],
    ['a/b/', 'a/b'],
    ['./a/../b', 'b'],
    ['a//b/./c', 'a/b/c'],
    ['a/b/../../c', 'c'],
    ['..a/b', '..a/b'],
  ];
  for (const [name, rel] of ok) assert.equal(normalizeEntryName(name), rel, name);
  refused(() => normalizeEntryName('../x'), /"\.\.\/x": path escapes/);
  refused(() => normalizeEntryName('a/../../x'), /escapes/);
  refused(() => normalizeEntryName('..'), /escapes/);
  refused(() => normalizeEntryName('/etc/passwd'), /absolute/);
  refused(() => normalizeEntryName('a\0b'), /"a\\x00b": name contains a NUL byte/);
  refused(() => normalizeEntryName(''), /empty/);
});

test('hard link targets must stay inside and be relative', () => {
  assert.equal(normalizeHardLinkTarget('x', './bin/busybox'), 'bin/busybox');
  refused(() => normalizeHardLinkTarget('x', '/etc/passwd'), /"x": hard link target "\/etc\/passwd" is absolute/);
  refused(() => normalizeHardLinkTarget('x', 'a/../../y'), /escapes/);
  refused(() => normalizeHardLinkTarget('x', '.'), /escapes/);
});

test('relative symlink targets must not climb above the root; absolute ones are allowed', () => {
  checkSymlinkTarget('usr/lib/x', 'usr/lib/x', '../../bin/sh');
  checkSymlinkTarget('a', 'a', '/anything/at/all');
  checkSymlinkTarget('a', 'a', '.');
  refused(() => checkSymlinkTarget('usr/x', 'usr/x', '../../etc'), /escapes the layer root/);
  refused(() => checkSymlinkTarget('a', 'a', '..'), /escapes/);
  refused(() => checkSymlinkTarget('a', 'a', ''), /empty/);
});

test('whiteouts are recognised by their base name', () => {
  assert.equal(parseWhiteout('a/b', 'a/b'), undefined);
  assert.deepEqual(parseWhiteout('a/.wh.b', 'a/.wh.b'), { kind: 'file', path: 'a/b' });
  assert.deepEqual(parseWhiteout('.wh.b', '.wh.b'), { kind: 'file', path: 'b' });
  assert.deepEqual(parseWhiteout('a/.wh..wh..opq', 'a/.wh..wh..opq'), { kind: 'opaque', dir: 'a' });
  assert.deepEqual(parseWhiteout('.wh..wh..opq', '.wh..wh..opq'), { kind: 'opaque', dir: '.' });
  assert.deepEqual(parseWhiteout('.wh..wh.plnk', '.wh..wh.plnk'), { kind: 'meta' });
  refused(() => parseWhiteout('a/.wh.', 'a/.wh.'), /names no file/);
  refused(() => parseWhiteout('a/.wh...', 'a/.wh...'), /names no file/);
});

test('ancestors and containment', () => {
  assert.deepEqual(ancestors('a/b/c'), ['a', 'a/b']);
  assert.deepEqual(ancestors('a'), []);
  assert.ok(isWithin('a/b', 'a'));
  assert.ok(isWithin('a', 'a'));
  assert.ok(!isWithin('ab', 'a'));
  assert.ok(isWithin('x', '.'));
});
