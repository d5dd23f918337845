import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyRuncError, parseRuncState } from './runc.js';

test('runc error messages are classified as CRI-O does', () => {
  assert.equal(classifyRuncError('time="x" level=error msg="container does not exist"'), 'not-found');
  assert.equal(classifyRuncError('level=error msg="container not running"'), 'not-running');
  assert.equal(classifyRuncError('level=error msg="os: process already finished"'), 'not-running');
  assert.equal(classifyRuncError('level=error msg="permission denied"'), 'other');
});

test('runc state documents', () => {
  const st = parseRuncState(
    '{"ociVersion":"1.0.2-dev","id":"a","pid":12,"status":"running","bundle":"/b","rootfs":"/b/rootfs","created":"2026-01-01T00:00:00Z","owner":""}',
  );
  assert.deepEqual(st, { id: 'a', pid: 12, status: 'running', bundle: '/b', created: '2026-01-01T00:00:00Z' });
  assert.throws(() => parseRuncState('{"id":"a","pid":1,"status":"weird"}'), /unexpected document/);
});
