import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BURSTABLE_MIN_OOM_SCORE_ADJ,
  clampOomScoreAdj,
  containerResources,
  MAX_SHARES,
  MIN_QUOTA_PERIOD_US,
  MIN_SHARES,
  milliCPUToQuota,
  milliCPUToShares,
  oomScoreAdjFor,
  podCgroupName,
  podResources,
  QUOTA_PERIOD_US,
  SANDBOX_OOM_SCORE_ADJ,
} from './resources.js';

test("constants are the kubelet's (helpers_linux.go, policy.go)", () => {
  assert.equal(MIN_SHARES, 2);
  assert.equal(MAX_SHARES, 262144);
  assert.equal(QUOTA_PERIOD_US, 100000);
  assert.equal(MIN_QUOTA_PERIOD_US, 1000);
  assert.equal(SANDBOX_OOM_SCORE_ADJ, -998);
  assert.equal(BURSTABLE_MIN_OOM_SCORE_ADJ, 3);
});

// Cases from pkg/kubelet/cm/helpers_linux_test.go TestMilliCPUToQuota and the shares conversion.
test('milliCPUToShares', () => {
  const table: [number, number][] = [
    [0, 2],
    [1, 2], // 1*1024/1000 = 1 → MIN_SHARES
    [2, 2],
    [10, 10],
    [100, 102],
    [250, 256],
    [500, 512],
    [1000, 1024],
    [1500, 1536],
    [256_000, 262_144],
    [300_000, 262_144],
  ];
  for (const [milli, shares] of table) assert.equal(milliCPUToShares(milli), shares, `${milli}m`);
});

test('milliCPUToQuota', () => {
  const table: [number, number, number][] = [
    [0, 100_000, 0],
    [5, 100_000, 1000], // 500 µs → raised to the 1 ms minimum
    [9, 100_000, 1000],
    [10, 100_000, 1000],
    [200, 100_000, 20_000],
    [500, 100_000, 50_000],
    [1000, 100_000, 100_000],
    [1500, 100_000, 150_000],
    [5, 50_000, 1000],
    [200, 50_000, 10_000],
    [1500, 50_000, 75_000],
  ];
  for (const [milli, period, quota] of table) assert.equal(milliCPUToQuota(milli, period), quota, `${milli}m/${period}`);
});

test('containerResources follows calculateLinuxResources', () => {
  assert.deepEqual(containerResources({}), { cpuShares: 2 });
  assert.deepEqual(containerResources({ cpuRequestMilli: 250 }), { cpuShares: 256 });
  // Only a limit: the request defaults to it.
  assert.deepEqual(containerResources({ cpuLimitMilli: 500 }), { cpuShares: 512, cpuQuotaUs: 50_000, cpuPeriodUs: 100_000 });
  assert.deepEqual(containerResources({ cpuRequestMilli: 100, cpuLimitMilli: 2000, memoryLimitBytes: 128 * 1024 * 1024 }), {
    cpuShares: 102,
    cpuQuotaUs: 200_000,
    cpuPeriodUs: 100_000,
    memoryLimitBytes: 134_217_728,
  });
  assert.equal(containerResources({ cpuLimitMilli: 1 }).cpuQuotaUs, 1000);
  assert.equal(containerResources({ cpuRequestMilli: 100 }).pidsLimit, undefined);
});

test('podResources follows ResourceConfigForPod', () => {
  const guaranteed = { cpuRequestMilli: 1000, cpuLimitMilli: 1000, memoryRequestBytes: 1 << 30, memoryLimitBytes: 1 << 30 };
  assert.deepEqual(podResources(guaranteed, 'Guaranteed'), { cpuShares: 1024, cpuQuotaUs: 100_000, cpuPeriodUs: 100_000, memoryLimitBytes: 1 << 30 });
  // Burstable: one container without a CPU limit → no pod quota; all have memory limits → pod memory limit.
  assert.deepEqual(podResources({ cpuRequestMilli: 300, cpuLimitMilli: undefined, memoryRequestBytes: 1 << 20, memoryLimitBytes: 1 << 26 }, 'Burstable'), {
    cpuShares: 307,
    memoryLimitBytes: 1 << 26,
  });
  assert.deepEqual(podResources({ cpuRequestMilli: 0, cpuLimitMilli: 2500, memoryRequestBytes: 0, memoryLimitBytes: undefined }, 'Burstable'), {
    cpuShares: 2,
    cpuQuotaUs: 250_000,
    cpuPeriodUs: 100_000,
  });
  assert.deepEqual(podResources({ cpuRequestMilli: 0, cpuLimitMilli: undefined, memoryRequestBytes: 0, memoryLimitBytes: undefined }, 'BestEffort'), {
    cpuShares: 2,
  });
});

test('podCgroupName', () => {
  assert.equal(podCgroupName('Guaranteed', 'u1'), 'kubepods/podu1');
  assert.equal(podCgroupName('Burstable', 'u1'), 'kubepods/burstable/podu1');
  assert.equal(podCgroupName('BestEffort', 'u1'), 'kubepods/besteffort/podu1');
});

// Cases in the spirit of pkg/kubelet/qos/policy_test.go (which uses a 4 GB node).
test('oomScoreAdjFor follows GetContainerOOMScoreAdjust', () => {
  const cap = 4 * 1024 ** 3;
  assert.equal(oomScoreAdjFor('Guaranteed', cap / 2, cap), -997);
  assert.equal(oomScoreAdjFor('BestEffort', 0, cap), 1000);
  assert.equal(oomScoreAdjFor('Burstable', cap / 2, cap), 500);
  assert.equal(oomScoreAdjFor('Burstable', Math.floor(cap / 10), cap), 901, 'the request share 99.99‰ rounds down to 99');
  assert.equal(oomScoreAdjFor('Burstable', 1e9, 1e10), 900);
  assert.equal(oomScoreAdjFor('Burstable', 0, cap), 999, 'never as bad as BestEffort');
  assert.equal(oomScoreAdjFor('Burstable', 1, cap), 999, '1000 - 0 (integer division) → 999');
  assert.equal(oomScoreAdjFor('Burstable', cap, cap), 3, 'never as good as Guaranteed');
  assert.equal(oomScoreAdjFor('Burstable', cap * 2, cap), 3);
  assert.equal(oomScoreAdjFor('Burstable', Math.floor(cap * 0.998), cap), 3, '1000-998 = 2 < 3');
  assert.equal(oomScoreAdjFor('Burstable', 10 * 1024 ** 4, 16 * 1024 ** 4), 375, 'exact beyond 2^53');
});

test('clampOomScoreAdj raises to the floor only', () => {
  assert.equal(clampOomScoreAdj(-998, 0), 0);
  assert.equal(clampOomScoreAdj(500, 0), 500);
  assert.equal(clampOomScoreAdj(-998, -1000), -998);
});
