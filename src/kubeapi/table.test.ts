import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, toTable } from './table.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test("AGE is Go's duration.HumanDuration", () => {
  const cases: [number, string][] = [
    [-5 * S, '<invalid>'],
    [0, '0s'],
    [90 * S, '90s'],
    [2 * M, '2m'],
    [9 * M + 30 * S, '9m30s'],
    [15 * M, '15m'],
    [3 * H, '3h'],
    [5 * H + 30 * M, '5h30m'],
    [30 * H, '30h'],
    [3 * D + 5 * H, '3d5h'],
    [4 * D, '4d'],
    [100 * D, '100d'],
    [3 * 365 * D + 10 * D, '3y10d'],
    [9 * 365 * D, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms} ms`);
});

test("pods print printPod's columns; restarts carry the last restart's age", () => {
  const now = new Date('2026-01-01T01:00:00Z');
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'host' },
    status: {
      phase: 'Running',
      podIPs: [{ ip: '10.0.0.2' }],
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 2, lastState: { terminated: { finishedAt: '2026-01-01T00:55:00Z' } } },
        { name: 'b', ready: false, restartCount: 0, lastState: {} },
      ],
    },
  };
  const table = toTable('pods', [pod], '7', now) as { columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[] }[] };
  assert.deepEqual(
    table.columnDefinitions.map((c) => `${c.name}:${c.priority}`),
    ['Name:0', 'Ready:0', 'Status:0', 'Restarts:0', 'Age:0', 'IP:1', 'Node:1', 'Nominated Node:1', 'Readiness Gates:1'],
  );
  assert.deepEqual(table.rows[0]?.cells, ['p', '1/2', 'Running', '2 (5m ago)', '60m', '10.0.0.2', 'host', '<none>', '<none>']);
});
