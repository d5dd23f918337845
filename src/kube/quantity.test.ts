import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuMilli, isQuantity, memoryBytes, parseQuantity } from './quantity.js';

test('Kubernetes quantities: decimal, binary and exponent suffixes', () => {
  const cases: [string, number][] = [
    ['1', 1],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['100m', 0.1],
    ['1k', 1000],
    ['1M', 1e6],
    ['1G', 1e9],
    ['2T', 2e12],
    ['1Ki', 1024],
    ['64Mi', 64 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1e3', 1000],
    ['1E3', 1000],
    ['5n', 5e-9],
    ['-1', -1],
    ['+2', 2],
  ];
  for (const [text, value] of cases) assert.equal(parseQuantity(text).value, value, text);
});

test('malformed quantities are refused with the value and what is allowed', () => {
  for (const bad of ['12Qi', '', 'Mi', '1.2.3', '1 Gi', '1mi', '0x10', 'NaN', '1'.repeat(80)]) {
    assert.equal(isQuantity(bad), false, bad);
    assert.throws(() => parseQuantity(bad), /is not a valid quantity/, bad);
  }
});

test('cpu in millicores and memory in bytes, rounded up as the API server does', () => {
  assert.equal(cpuMilli('250m'), 250);
  assert.equal(cpuMilli('0.1'), 100);
  assert.equal(cpuMilli('1.0005'), 1001);
  assert.equal(cpuMilli('2'), 2000);
  assert.equal(memoryBytes('64Mi'), 67108864);
  assert.equal(memoryBytes('1G'), 1e9);
  assert.equal(memoryBytes('0.5Ki'), 512);
});

test('quantities beyond an int64 are refused, not rounded to a float', () => {
  for (const huge of ['99999999999999999999Ei', '16Ei', '9223372036854775808', '1e400']) {
    assert.equal(isQuantity(huge), true, huge);
    assert.throws(() => parseQuantity(huge), /is not a valid quantity: too large/, huge);
  }
  assert.equal(parseQuantity('7Ei').value, 7 * 2 ** 60);
});
