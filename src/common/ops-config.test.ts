import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultParallelPodStarts, parseByteSize, resolveOpsSettings } from './ops-config.js';

test('ops settings: the kubelet defaults', () => {
  const s = resolveOpsSettings({}, {});
  assert.equal(s.containerLogMaxSize, 10 * 1024 * 1024);
  assert.equal(s.containerLogMaxFiles, 5);
  assert.equal(s.containerLogCompress, false);
  assert.deepEqual([s.imageGcHighPercent, s.imageGcLowPercent], [85, 80]);
  assert.equal(s.metricsAddress, '');
  assert.equal(s.logFormat, 'text');
  assert.equal(s.maxParallelPodStarts, defaultParallelPodStarts());
  assert.deepEqual(
    [1, 2, 16].map((cpus) => defaultParallelPodStarts(cpus)),
    [8, 16, 128],
  );
});

test('ops settings: environment values and refusals naming the variable', () => {
  const s = resolveOpsSettings(
    {},
    {
      PEAPOD_CONTAINER_LOG_MAX_SIZE: '64Ki',
      PEAPOD_CONTAINER_LOG_MAX_FILES: '3',
      PEAPOD_CONTAINER_LOG_COMPRESS: 'true',
      PEAPOD_METRICS_ADDRESS: '127.0.0.1:9101',
    },
  );
  assert.deepEqual([s.containerLogMaxSize, s.containerLogMaxFiles, s.containerLogCompress, s.metricsAddress], [65536, 3, true, '127.0.0.1:9101']);
  assert.throws(() => resolveOpsSettings({}, { PEAPOD_CONTAINER_LOG_MAX_FILES: '1' }), /PEAPOD_CONTAINER_LOG_MAX_FILES: "1" must be an integer from 2/);
  assert.throws(() => resolveOpsSettings({}, { PEAPOD_IMAGE_GC_LOW_PERCENT: '90' }), /PEAPOD_IMAGE_GC_LOW_PERCENT: 90 is above/);
  assert.throws(() => resolveOpsSettings({}, { PEAPOD_METRICS_ADDRESS: '0.0.0.0:9101' }), /must be a loopback host:port/);
  assert.throws(() => resolveOpsSettings({}, { PEAPOD_LOG_FORMAT: 'xml' }), /PEAPOD_LOG_FORMAT/);
  assert.equal(resolveOpsSettings({}, { PEAPOD_MAX_PARALLEL_POD_STARTS: '3' }).maxParallelPodStarts, 3);
  assert.throws(() => resolveOpsSettings({}, { PEAPOD_MAX_PARALLEL_POD_STARTS: '0' }), /PEAPOD_MAX_PARALLEL_POD_STARTS: "0" must be an integer from 1 to 1000/);
  assert.throws(() => parseByteSize('10MB', 'x'), /x: "10MB" is not a size/);
});
