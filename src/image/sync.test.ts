import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { SharedLock, SingleFlight } from './sync.js';

test('SingleFlight shares a run; an aborted shared run is redone for a live waiter', async () => {
  const sf = new SingleFlight<number>();
  let runs = 0;
  const work = async (): Promise<number> => {
    runs++;
    await delay(10);
    return runs;
  };
  assert.deepEqual(await Promise.all([sf.run('k', work), sf.run('k', work)]), [1, 1]);
  const abortError = Object.assign(new Error('aborted'), { name: 'AbortError' });
  const first = sf.run('a', async () => {
    await delay(5);
    throw abortError;
  });
  const second = sf.run('a', () => Promise.resolve(42));
  await assert.rejects(first, /aborted/);
  assert.equal(await second, 42);
});

test('SharedLock: exclusive waits for shared holders and blocks new ones', async () => {
  const lock = new SharedLock();
  const order: string[] = [];
  const reader = lock.shared(async () => {
    order.push('r1 start');
    await delay(20);
    order.push('r1 end');
  });
  await delay(1);
  const writer = lock.exclusive(async () => {
    order.push('w');
    await delay(5);
  });
  await delay(1);
  const late = lock.shared(() => {
    order.push('r2');
    return Promise.resolve();
  });
  await Promise.all([reader, writer, late]);
  assert.deepEqual(order, ['r1 start', 'r1 end', 'w', 'r2']);
});
