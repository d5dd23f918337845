import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderedFinishedAt } from './exit.js';

test('finishedAt is never before startedAt', () => {
  const started = '2026-01-01T00:00:00.010Z';
  assert.equal(orderedFinishedAt(started, '2026-01-01T00:00:00.006Z'), started);
  assert.equal(orderedFinishedAt(started, '2026-01-01T00:00:00.020Z'), '2026-01-01T00:00:00.020Z');
  assert.equal(orderedFinishedAt(started, started), started);
  assert.equal(orderedFinishedAt(undefined, '2026-01-01T00:00:00.006Z'), '2026-01-01T00:00:00.006Z');
  assert.equal(orderedFinishedAt(started, 'garbage'), started);
  assert.equal(orderedFinishedAt('garbage', '2026-01-01T00:00:00.006Z'), '2026-01-01T00:00:00.006Z');
});
