import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLoopbackAddress } from './server.js';

test('the dashboard listens on loopback only', () => {
  assert.deepEqual(parseLoopbackAddress('127.0.0.1:7780'), { host: '127.0.0.1', port: 7780 });
  assert.deepEqual(parseLoopbackAddress('localhost:0'), { host: '127.0.0.1', port: 0 });
  for (const bad of ['0.0.0.0:7780', '192.168.1.2:80', '127.0.0.1', ':7780', '127.0.0.1:70000', '[::]:7780']) {
    assert.throws(() => parseLoopbackAddress(bad), /PEAPOD_DASHBOARD_ADDRESS: .* loopback only/, bad);
  }
});
