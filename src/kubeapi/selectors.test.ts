import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSelector } from './selectors.js';

const obj = (labels: Record<string, string>, phase = 'Running') => ({ metadata: { name: 'x', labels }, status: { phase }, spec: { nodeName: 'n1' } });

test('label selectors: equality, inequality, set and existence requirements', () => {
  const match = (s: string, labels: Record<string, string>): boolean => parseSelector(s, 'label')(obj(labels));
  assert.equal(match('app=web', { app: 'web' }), true);
  assert.equal(match('app==web,tier!=db', { app: 'web', tier: 'front' }), true);
  assert.equal(match('app=web', { app: 'db' }), false);
  assert.equal(match('env in (prod, qa)', { env: 'qa' }), true);
  assert.equal(match('env notin (prod)', {}), true);
  assert.equal(match('env', {}), false);
  assert.equal(match('!env', {}), true);
  assert.throws(() => parseSelector('a b c', 'label'), /unable to parse requirement/);
});

test('field selectors read dotted paths (kubectl describe node asks for spec.nodeName and status.phase)', () => {
  const match = parseSelector('spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed', 'field');
  assert.equal(match(obj({})), true);
  assert.equal(match(obj({}, 'Succeeded')), false);
  assert.equal(parseSelector('metadata.name=y', 'field')(obj({})), false);
});
