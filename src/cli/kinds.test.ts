import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindLookup } from './kinds.js';
import { CORE_KINDS } from './commands/delete.js';
import { POD_WORDS } from './commands/get.js';

test('the core-only stand-in answers as the kinds table does for pods, ConfigMaps and Secrets', async () => {
  const table = await kindLookup(true);
  const standIn = await kindLookup(false);
  for (const word of [...CORE_KINDS.keys(), ...POD_WORDS]) {
    assert.equal(table.kindForResource(word), undefined, `the table must not know "${word}": the CLI skips loading it for that word`);
    assert.equal(standIn.kindForResource(word), undefined);
  }
  for (const kind of new Set(CORE_KINDS.values())) {
    assert.equal(table.kindInfo(kind), undefined, `the table must not hold ${kind}`);
    assert.equal(standIn.kindInfo(kind), undefined);
  }
  assert.equal(table.kindForResource('deploy')?.kind, 'Deployment', 'the real table is what was loaded');
  assert.equal(standIn.kindForResource('deploy'), undefined);
});
