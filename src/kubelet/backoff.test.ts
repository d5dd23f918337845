import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKOFF_RESET_SECONDS, INITIAL_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS, nextBackoffSeconds } from './backoff.js';

test('CrashLoopBackOff doubles from 10 s to the 300 s cap (kubelet backOffPeriod, MaxContainerBackOff)', () => {
  assert.equal(INITIAL_BACKOFF_SECONDS, 10);
  assert.equal(MAX_BACKOFF_SECONDS, 300);
  const seen: number[] = [];
  let delay: number | undefined;
  for (let i = 0; i < 8; i++) {
    delay = nextBackoffSeconds(delay, 1);
    seen.push(delay);
  }
  assert.deepEqual(seen, [10, 20, 40, 80, 160, 300, 300, 300]);
});

test('the backoff resets after the container ran for 10 minutes', () => {
  assert.equal(BACKOFF_RESET_SECONDS, 600);
  assert.equal(nextBackoffSeconds(300, 599), 300);
  assert.equal(nextBackoffSeconds(300, 600), 10);
});
