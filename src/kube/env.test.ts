import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandEnvReferences } from './env.js';

test('$(VAR) expansion as Kubernetes does it', () => {
  const env = new Map([
    ['A', 'x'],
    ['B', 'y'],
  ]);
  assert.equal(expandEnvReferences('$(A)-$(B)', env), 'x-y');
  assert.equal(expandEnvReferences('$(MISSING)', env), '$(MISSING)');
  assert.equal(expandEnvReferences('$$(A)', env), '$(A)');
  assert.equal(expandEnvReferences('cost: $5 $', env), 'cost: $5 $');
  assert.equal(expandEnvReferences('$(A', env), '$(A');
  assert.equal(expandEnvReferences('plain', env), 'plain');
});
