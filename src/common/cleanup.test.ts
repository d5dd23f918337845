import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CleanupStack } from './cleanup.js';

test('undos run newest first on failure and are forgotten on success', async () => {
  const ran: string[] = [];
  await assert.rejects(
    CleanupStack.run(async (stack) => {
      stack.push('a', () => Promise.resolve(void ran.push('a')));
      stack.push('b', () => Promise.resolve(void ran.push('b')));
      await Promise.resolve();
      throw new Error('step failed');
    }),
    /step failed/,
  );
  assert.deepEqual(ran, ['b', 'a']);
  ran.length = 0;
  const value = await CleanupStack.run((stack) => {
    stack.push('c', () => Promise.resolve(void ran.push('c')));
    return Promise.resolve(42);
  });
  assert.equal(value, 42);
  assert.deepEqual(ran, []);
});

test('a failing undo does not stop the others and is attached to the error', async () => {
  const ran: string[] = [];
  const err = await CleanupStack.run(async (stack) => {
    stack.push('first', () => Promise.resolve(void ran.push('first')));
    stack.push('broken', () => Promise.reject(new Error('undo failed')));
    await Promise.resolve();
    throw new Error('original');
  }).catch((e: unknown) => e);
  assert.ok(err instanceof Error);
  assert.equal(err.message, 'original');
  assert.deepEqual(ran, ['first']);
  const cleanup = (err as Error & { cleanupErrors?: AggregateError }).cleanupErrors;
  assert.match(cleanup?.message ?? '', /broken: undo failed/);
});
