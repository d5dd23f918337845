import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Limiter, mapConcurrent, settleAll } from './concurrency.js';

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

test('Limiter runs at most its limit at once, in the order asked, and frees a slot after a failure', async () => {
  const limiter = new Limiter(2);
  let active = 0;
  let peak = 0;
  const started: number[] = [];
  const job =
    (n: number, fail = false) =>
    async (): Promise<number> => {
      started.push(n);
      active++;
      peak = Math.max(peak, active);
      await delay(5);
      active--;
      if (fail) throw new Error(`job ${n}`);
      return n;
    };
  const runs = [limiter.run(job(1)), limiter.run(job(2, true)), limiter.run(job(3)), limiter.run(job(4)), limiter.run(job(5))];
  const settled = await Promise.allSettled(runs);
  assert.deepEqual(
    settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)),
    [1, 'job 2', 3, 4, 5],
  );
  assert.equal(peak, 2);
  assert.deepEqual(started, [1, 2, 3, 4, 5]);
  // Every slot came back: a full round runs at once again.
  active = 0;
  peak = 0;
  await Promise.all([limiter.run(job(6)), limiter.run(job(7))]);
  assert.equal(peak, 2);
  assert.throws(() => new Limiter(0), /positive integer/);
});

test('Limiter: a call aborted in line leaves it without running; a synchronous throw frees its slot', async () => {
  const limiter = new Limiter(1);
  let release = (): void => undefined;
  const holding = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
  const controller = new AbortController();
  let ran = false;
  const aborted = limiter.run(() => {
    ran = true;
    return Promise.resolve();
  }, controller.signal);
  const after = limiter.run(() => Promise.resolve('next'));
  controller.abort(new Error('gave up'));
  await assert.rejects(aborted, /gave up/);
  release();
  await holding;
  assert.equal(await after, 'next', 'the one behind the aborted call got the slot');
  assert.equal(ran, false);
  await assert.rejects(
    limiter.run(() => Promise.resolve(), controller.signal),
    /gave up/,
    'already aborted: refused at once',
  );
  await assert.rejects(
    limiter.run(() => {
      throw new Error('sync');
    }),
    /sync/,
  );
  assert.equal(await limiter.run(() => Promise.resolve(1)), 1, 'the slot came back after the synchronous throw');
});
