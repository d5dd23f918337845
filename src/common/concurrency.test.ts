import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { mapConcurrent, settleAll } from './concurrency.js';

test('mapConcurrent keeps order, respects the limit, and reports the first error', async () => {
  let active = 0;
  let peak = 0;
  const out = await mapConcurrent([5, 1, 4, 2, 3], 3, async (n) => {
    active++;
    peak = Math.max(peak, active);
    await delay(n * 3);
    active--;
    return n * 10;
  });
  assert.deepEqual(out, [50, 10, 40, 20, 30]);
  assert.equal(peak, 3);
  await assert.rejects(
    mapConcurrent([1, 2], 2, (n) => (n === 2 ? Promise.reject(new Error('two')) : Promise.resolve(n))),
    /two/,
  );
});

test('settleAll waits for every step, then rejects with the first failure in their order', async () => {
  let slowDone = false;
  const slow = new Promise<void>((resolve) => setTimeout(() => ((slowDone = true), resolve()), 30));
  await assert.rejects(settleAll([slow, Promise.reject(new Error('second')), Promise.reject(new Error('third'))]), /second/);
  assert.equal(slowDone, true, 'the slow step had settled before the failure was reported');
  await settleAll([Promise.resolve(1), Promise.resolve()]);
});
