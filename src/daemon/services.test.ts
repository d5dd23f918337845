import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../common/config.js';
import { serviceRange } from './services.js';

const config = (serviceCidr: string, subnet = '10.89.0.0/16') => resolveConfig({ serviceCidr, subnet }, {});

test('service range: the default, and a malformed, misaligned, oversized, tiny or overlapping one refused naming its variable', () => {
  assert.equal(serviceRange(resolveConfig({}, {})).prefix, 16);
  assert.throws(() => serviceRange(config('10.96.0.0')), /PEAPOD_SERVICE_CIDR: "10.96.0.0" is not an IPv4 CIDR/);
  assert.throws(() => serviceRange(config('10.96.0.1/16')), /PEAPOD_SERVICE_CIDR: "10.96.0.1\/16" has host bits set \(the range starts at 10.96.0.0\)/);
  assert.throws(() => serviceRange(config('10.0.0.0/8')), /too large/);
  assert.throws(() => serviceRange(config('10.96.0.0/30')), /too small/);
  assert.throws(() => serviceRange(config('10.89.128.0/24')), /overlaps the pod subnet 10.89.0.0\/16 \(PEAPOD_SUBNET\)/);
});
