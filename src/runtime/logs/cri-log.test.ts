import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogLineAssembler, formatLogLine, parseCriLogLine } from './cri-log.js';

test('parses the CRI log format conmon writes', () => {
  assert.deepEqual(parseCriLogLine('2026-11-24T12:00:00.123456789Z stdout F hello world'), {
    timestamp: '2026-11-24T12:00:00.123456789Z',
    stream: 'stdout',
    partial: false,
    content: 'hello world',
  });
  assert.deepEqual(parseCriLogLine('2026-11-24T12:00:00.1+01:00 stderr P part'), {
    timestamp: '2026-11-24T12:00:00.1+01:00',
    stream: 'stderr',
    partial: true,
    content: 'part',
  });
  assert.equal(parseCriLogLine('2026-11-24T12:00:00Z stdout F')?.content, '');
  assert.equal(parseCriLogLine('garbage'), undefined);
  assert.equal(parseCriLogLine('2026-11-24T12:00:00Z stdin F x'), undefined);
});

test('joins partial entries per stream, keeping the first timestamp', () => {
  const a = new LogLineAssembler();
  const entries = ['1 stdout P abc', '2 stderr F err', '3 stdout P def', '4 stdout F ghi'].map((l) => parseCriLogLine(l));
  const lines = entries.map((e) => (e ? a.push(e) : undefined)).filter((l) => l !== undefined);
  assert.deepEqual(lines, [
    { timestamp: '2', stream: 'stderr', text: 'err' },
    { timestamp: '1', stream: 'stdout', text: 'abcdefghi' },
  ]);
});

test('formats with and without timestamps', () => {
  const line = { timestamp: '2026-11-24T12:00:00.5Z', stream: 'stdout' as const, text: 'x' };
  assert.equal(formatLogLine(line, false), 'x\n');
  assert.equal(formatLogLine(line, true), '2026-11-24T12:00:00.5Z x\n');
});
