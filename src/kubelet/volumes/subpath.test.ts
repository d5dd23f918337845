import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSubPath, effectiveSubPath, expandSubPathExpr } from './subpath.js';

test('checkSubPath refuses absolute paths, .. components and NUL, naming the field', () => {
  assert.equal(checkSubPath('a/b', 'f'), 'a/b');
  assert.equal(checkSubPath('a..b/..c', 'f'), 'a..b/..c');
  assert.throws(() => checkSubPath('/etc', 'volumeMounts[0].subPath'), /volumeMounts\[0\]\.subPath: .*must be a relative path/);
  assert.throws(() => checkSubPath('a/../../etc', 'f'), /f: .*must not contain '\.\.'/);
  assert.throws(() => checkSubPath('..', 'f'), /must not contain '\.\.'/);
  assert.throws(() => checkSubPath('a\0b', 'f'), /NUL/);
});

test('subPathExpr expands $(VAR) from env only, $$ escapes, missing or empty variables are errors', () => {
  const env = new Map([
    ['POD_NAME', 'web-1'],
    ['NS', 'prod'],
    ['EMPTY', ''],
  ]);
  assert.equal(expandSubPathExpr('logs/$(NS)/$(POD_NAME)', env, 'f'), 'logs/prod/web-1');
  assert.equal(expandSubPathExpr('cost$$1', env, 'f'), 'cost$1');
  assert.throws(
    () => expandSubPathExpr('$(NOPE)/$(EMPTY)/x', env, 'volumeMounts[1].subPathExpr'),
    /volumeMounts\[1\]\.subPathExpr: .*missing value for EMPTY, NOPE/,
  );
  assert.throws(() => expandSubPathExpr('$(UP)/x', new Map([['UP', '..']]), 'f'), /must not contain '\.\.'/);
  assert.throws(() => expandSubPathExpr('$(ROOT)etc', new Map([['ROOT', '/']]), 'f'), /must be a relative path/);
});

test('effectiveSubPath: subPath, subPathExpr, neither, and both refused', () => {
  const env = new Map([['POD_NAME', 'p']]);
  assert.deepEqual(effectiveSubPath({ subPath: 'x' }, env, 'volumeMounts[0]'), { path: 'x', field: 'volumeMounts[0].subPath' });
  assert.deepEqual(effectiveSubPath({ subPathExpr: 'd/$(POD_NAME)' }, env, 'volumeMounts[2]'), { path: 'd/p', field: 'volumeMounts[2].subPathExpr' });
  assert.equal(effectiveSubPath({}, env, 'm'), undefined);
  assert.equal(effectiveSubPath({ subPath: '' }, env, 'm'), undefined);
  assert.throws(
    () => effectiveSubPath({ subPath: 'a', subPathExpr: 'b' }, env, 'volumeMounts[3]'),
    /volumeMounts\[3\]: subPath and subPathExpr are mutually exclusive/,
  );
});
