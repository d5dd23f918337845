import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../kube/types.js';
import { parseEvictionThresholds, rankForEviction, type EvictionCandidate } from './eviction.js';

const pod = (name: string, resources?: { requests?: Record<string, string>; limits?: Record<string, string> }): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox', ...(resources ? { resources } : {}) }] },
});
const MI = 1024 * 1024;
const candidate = (p: Pod, memoryMi: number, diskMi = 0): EvictionCandidate => ({
  uid: p.metadata.name,
  pod: p,
  memoryUsageBytes: memoryMi * MI,
  diskUsageBytes: diskMi * MI,
});

test('eviction thresholds in the kubelet syntax, refused naming the field', () => {
  assert.deepEqual(parseEvictionThresholds('memory.available<100Mi,nodefs.available<10%', 'F'), [
    { signal: 'memory.available', bytes: 100 * MI },
    { signal: 'nodefs.available', percent: 10 },
  ]);
  assert.deepEqual(parseEvictionThresholds('none', 'F'), []);
  assert.throws(() => parseEvictionThresholds('memory.free<1Gi', 'PEAPOD_EVICTION_HARD'), /PEAPOD_EVICTION_HARD: "memory.free<1Gi"/);
  assert.throws(() => parseEvictionThresholds('nodefs.available<120%', 'F'), /not a percentage/);
});

test('memory pressure: BestEffort before Burstable before Guaranteed, then by usage above requests', () => {
  const guaranteed = pod('guaranteed', { requests: { memory: '64Mi', cpu: '100m' }, limits: { memory: '64Mi', cpu: '100m' } });
  const burstableSmall = pod('burstable-small', { requests: { memory: '10Mi' } });
  const burstableBig = pod('burstable-big', { requests: { memory: '100Mi' } });
  const bestEffort = pod('besteffort');
  const ranked = rankForEviction(
    [candidate(guaranteed, 500), candidate(burstableBig, 150), candidate(burstableSmall, 40), candidate(bestEffort, 1)],
    'memory.available',
  );
  // burstable-small is 30Mi above its request, burstable-big 50Mi: the bigger excess goes first.
  assert.deepEqual(
    ranked.map((c) => c.uid),
    ['besteffort', 'burstable-big', 'burstable-small', 'guaranteed'],
  );
});

test('disk pressure: by QoS, then by disk used', () => {
  const a = pod('a');
  const b = pod('b');
  assert.deepEqual(
    rankForEviction([candidate(a, 0, 1), candidate(b, 0, 9)], 'nodefs.available').map((c) => c.uid),
    ['b', 'a'],
  );
});
