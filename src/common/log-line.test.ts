import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDaemonLogLine, logLevelOf } from './log-line.js';

test('daemon log lines: text, or JSON lines with a level', () => {
  const at = new Date('2026-01-02T03:04:05.000Z');
  assert.equal(formatDaemonLogLine('text', 'hello', at), '2026-01-02T03:04:05.000Z hello\n');
  assert.deepEqual(JSON.parse(formatDaemonLogLine('json', 'error: boom "x"\nmore', at)), {
    time: '2026-01-02T03:04:05.000Z',
    level: 'error',
    msg: 'error: boom "x"\nmore',
  });
  assert.equal(logLevelOf('eviction: memory.available under pressure; evicting pod default/hog'), 'warn');
  assert.equal(logLevelOf('peapod daemon 1 listening on /run/peapod/peapod.sock'), 'info');
});
