// How long create+start and stop+remove of a `sleep` container take through conmon (medians of 10),
// next to the floor: `runc run -d` and `runc kill` + `runc delete` with no monitor.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { run } from '../../src/host/exec.js';
import { paths } from '../../src/common/config.js';
import { makeRuntimeFixture } from './fixture.js';
import type { RuntimeFixture } from './fixture.js';

const ROUNDS = 10;
/** Generous bounds that still catch a stray sleep or poll in the path (measured: tens of ms). */
const CREATE_START_BOUND_MS = 1000;
const STOP_REMOVE_BOUND_MS = 1000;

let fx: RuntimeFixture;
before(async () => {
  fx = await makeRuntimeFixture();
});
after(async () => {
  await fx.teardown();
});

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

test(`create+start and stop+remove of a sleep container (median of ${ROUNDS})`, async (t) => {
  const createStart: number[] = [];
  const stopRemove: number[] = [];
  const floorRun: number[] = [];
  const floorKill: number[] = [];
  const runcRoot = paths(fx.roots.config).runcRoot;
  for (let i = 0; i < ROUNDS; i++) {
    const c = await fx.bundle(['sleep', '1000']);
    let t0 = performance.now();
    await fx.runtime.create(c.id, { bundle: c.bundle, logPath: c.logPath });
    await fx.runtime.start(c.id);
    createStart.push(performance.now() - t0);
    t0 = performance.now();
    const exit = await fx.runtime.stop(c.id, 0);
    await fx.runtime.remove(c.id);
    stopRemove.push(performance.now() - t0);
    assert.equal(exit.exitCode, 137);

    // The floor, same bundle shape, no conmon.
    const f = await fx.bundle(['sleep', '1000']);
    t0 = performance.now();
    await run('runc', ['--root', runcRoot, 'run', '-d', '--bundle', f.bundle, f.id], { timeoutMs: 30_000 });
    floorRun.push(performance.now() - t0);
    t0 = performance.now();
    await run('runc', ['--root', runcRoot, 'kill', f.id, 'KILL'], { timeoutMs: 30_000 });
    await run('runc', ['--root', runcRoot, 'delete', '--force', f.id], { timeoutMs: 30_000 });
    floorKill.push(performance.now() - t0);
  }
  const fmt = (v: number[]): string => `${median(v).toFixed(1)} ms`;
  t.diagnostic(`create+start ${fmt(createStart)} (floor runc run -d ${fmt(floorRun)})`);
  t.diagnostic(`stop(grace 0)+remove ${fmt(stopRemove)} (floor runc kill + delete -f ${fmt(floorKill)})`);
  assert.ok(median(createStart) < CREATE_START_BOUND_MS);
  assert.ok(median(stopRemove) < STOP_REMOVE_BOUND_MS);
});
