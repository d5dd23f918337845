import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fields } from './fields.js';

test('Fields narrows decoded messages and names the field that is wrong', () => {
  const f = Fields.of({ name: 'x', n: '12', list: ['a'], map: { k: 'v' }, inner: { on: true }, mode: 'NODE', absent: null }, 'req');
  assert.equal(f.str('name'), 'x');
  assert.equal(f.int('n'), 12);
  assert.deepEqual(f.strList('list'), ['a']);
  assert.deepEqual(f.strMap('map'), { k: 'v' });
  assert.equal(f.msg('inner')?.bool('on'), true);
  assert.equal(f.msg('absent'), undefined);
  assert.equal(f.enumOf('mode', ['POD', 'NODE']), 'NODE');
  assert.equal(f.str('missing'), '');
  assert.throws(() => f.int('name'), /req\.name: expected an integer/);
  assert.throws(() => f.enumOf('name', ['POD']), /req\.name: expected one of POD/);
  assert.throws(() => Fields.of({ m: { k: 1 } }, '').strMap('m'), /m\["k"\]: expected a string/);
  assert.throws(() => Fields.of({ n: '99999999999999999999' }, '').int('n'), /expected an integer/);
  assert.deepEqual(Fields.of(undefined, '').list('x'), []);
});
