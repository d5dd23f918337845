import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.js';
import { WorkQueue } from './queue.js';

test('keys are deduplicated, never handed out twice at once, and delayed adds keep the earliest time', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue<string>((k) => k, clock);
  q.add('a');
  q.add('a');
  q.add('b');
  assert.equal(await q.next(), 'a');
  q.add('a'); // while 'a' syncs: queued again only when it is done
  assert.equal(await q.next(), 'b');
  q.done('b');
  assert.equal(q.isIdle(), false);
  q.done('a');
  assert.equal(await q.next(), 'a');
  q.done('a');
  assert.equal(q.isIdle(), true);
  q.addAfter('c', 5000);
  q.addAfter('c', 1000);
  clock.advance(999);
  assert.equal(q.isIdle(), true);
  clock.advance(1);
  assert.equal(await q.next(), 'c');
  q.done('c');
  clock.advance(10_000);
  assert.equal(q.isIdle(), true, 'the later add was replaced by the earlier one');
  q.stop();
  assert.equal(await q.next(), undefined);
});
