import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockFromEnv, realClock } from './clock.js';

test('PEAPOD_CONTROLLER_CLOCK: unset is the real clock; a start and a scale shift and speed it up', async () => {
  assert.equal(clockFromEnv({}), realClock);
  const shifted = clockFromEnv({ PEAPOD_CONTROLLER_CLOCK: '2026-01-01T23:58:00Zx60' });
  const first = shifted.now().getTime();
  assert.ok(first >= Date.parse('2026-01-01T23:58:00Z') && first < Date.parse('2026-01-01T23:59:00Z'));
  // A timer of 60 s on a 60x clock fires after about a real second (the clock's timers are unref'd: this test keeps
  // the event loop alive meanwhile).
  const keepAlive = setTimeout(() => undefined, 20_000);
  const fired = await new Promise<number>((resolve) => {
    const started = Date.now();
    shifted.setTimer(() => resolve(Date.now() - started), 60_000);
  });
  clearTimeout(keepAlive);
  assert.ok(fired < 10_000, `fired after ${fired} ms`);
  assert.ok(shifted.now().getTime() - first >= 60_000 - 100);
  assert.throws(() => clockFromEnv({ PEAPOD_CONTROLLER_CLOCK: 'yesterday' }), /PEAPOD_CONTROLLER_CLOCK/);
});
