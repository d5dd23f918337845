import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prober, type ProberClock } from './prober.js';
import type { ProbeOutcome, ProbeResult } from './run-probe.js';

/** A clock that runs periods instantly, counting them; stops after `limit` sleeps. */
function fakeClock(limit: number): ProberClock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return Promise.resolve(!signal.aborted && sleeps.length <= limit);
    },
  };
}

const target = { containerId: 'c', host: '127.0.0.1', namedPorts: new Map<string, number>() };
const exec = { execSync: () => Promise.resolve({ exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), timedOut: false }) };

async function drive(
  kind: 'liveness' | 'readiness' | 'startup',
  results: ProbeResult[],
  probe: Record<string, number>,
  started = true,
): Promise<{ changes: ProbeResult[]; runs: number; sleeps: number[] }> {
  const changes: ProbeResult[] = [];
  let runs = 0;
  const clock = fakeClock(results.length);
  await new Promise<void>((resolve) => {
    const prober = new Prober(
      kind,
      { exec: { command: ['true'] }, ...probe },
      target,
      exec,
      { onResult: (_k, r) => changes.push(r), started: () => started },
      clock,
      (): Promise<ProbeOutcome> => {
        const result = results[runs++] ?? 'success';
        if (runs >= results.length) setImmediate(resolve);
        return Promise.resolve({ result });
      },
    );
    prober.start();
    if (results.length === 0) setImmediate(resolve);
  });
  return { changes, runs, sleeps: clock.sleeps };
}

test('liveness starts as success and flips to failure only after failureThreshold failures in a row', async () => {
  const r = await drive('liveness', ['failure', 'failure', 'success', 'failure', 'failure', 'failure'], {
    failureThreshold: 3,
    periodSeconds: 5,
    initialDelaySeconds: 2,
  });
  assert.deepEqual(r.changes, ['failure']);
  assert.equal(r.sleeps[0], 2000, 'initial delay');
  assert.equal(r.sleeps[1], 5000, 'period');
});

test('readiness starts as failure and needs successThreshold successes', async () => {
  const r = await drive('readiness', ['success', 'failure', 'success', 'success'], { successThreshold: 2, failureThreshold: 1 });
  assert.deepEqual(r.changes, ['success']);
});

test('liveness waits while the startup probe has not succeeded', async () => {
  let checks = 0;
  let runs = 0;
  const clock = fakeClock(4);
  const prober = new Prober(
    'liveness',
    { exec: { command: ['true'] } },
    target,
    exec,
    { onResult: () => undefined, started: () => ++checks > 2 },
    clock,
    () => {
      runs++;
      return Promise.resolve({ result: 'success' as const });
    },
  );
  prober.start();
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  // Five loop turns (initial delay + 4 periods): the first two see "not started" and skip the probe.
  assert.equal(checks, 4);
  assert.equal(runs, 2);
});
