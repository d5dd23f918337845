import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanRuncMessage, conmonArgs, conmonLayout, parseSyncMessage } from './conmon.js';

test('conmon command line: the CRI-O/podman flags, stdin and terminal on request', () => {
  const layout = conmonLayout('/run/p/conmon', '/run/p/exits', 'abc');
  assert.deepEqual(layout, {
    persistDir: '/run/p/conmon/abc',
    pidFile: '/run/p/conmon/abc/pidfile',
    conmonPidFile: '/run/p/conmon/abc/conmon.pid',
    exitFile: '/run/p/exits/abc',
  });
  const base = {
    id: 'abc',
    name: 'abc',
    runtimePath: '/usr/sbin/runc',
    runcRoot: '/run/p/runc',
    bundle: '/b',
    exitDir: '/run/p/exits',
    logPath: '/l/abc.log',
    layout,
  };
  const args = conmonArgs({ ...base, stdin: false, stdinOnce: false, terminal: false });
  assert.deepEqual(args, [
    '--api-version',
    '1',
    '-c',
    'abc',
    '-u',
    'abc',
    '-r',
    '/usr/sbin/runc',
    '-b',
    '/b',
    '-p',
    '/run/p/conmon/abc/pidfile',
    '-n',
    'abc',
    '--exit-dir',
    '/run/p/exits',
    '--persist-dir',
    '/run/p/conmon/abc',
    '-l',
    'k8s-file:/l/abc.log',
    '--log-level',
    'warning',
    '--runtime-arg',
    '--root=/run/p/runc',
    '--socket-dir-path',
    '/run/p/conmon/abc',
    '--conmon-pidfile',
    '/run/p/conmon/abc/conmon.pid',
    '--full-attach',
  ]);
  // stdin_once: conmon closes the container's stdin when the attach client hangs up; otherwise it stays open.
  assert.deepEqual(conmonArgs({ ...base, stdin: true, stdinOnce: true, terminal: true }).slice(-2), ['-i', '-t']);
  assert.deepEqual(conmonArgs({ ...base, stdin: true, stdinOnce: false, terminal: false }).slice(-2), ['-i', '--leave-stdin-open']);
  assert.ok(!conmonArgs({ ...base, stdin: false, stdinOnce: false, terminal: false }).includes('--leave-stdin-open'), 'only with stdin');
});

test('sync pipe messages (API version 1)', () => {
  assert.deepEqual(parseSyncMessage('{"data": 6543}\n'), { data: 6543 });
  assert.deepEqual(parseSyncMessage('{"data": -1, "message": "boom"}\n'), { data: -1, message: 'boom' });
  assert.equal(parseSyncMessage('{"data": 65'), undefined, 'incomplete');
  assert.equal(parseSyncMessage(''), undefined);
  assert.equal(parseSyncMessage('{"pid": 1}\n'), undefined, 'the pre-v1 key');
});

test('runc error text is reduced to its msg', () => {
  const raw =
    'time="2026-01-01T00:00:00Z" level=error msg="runc create failed: unable to start container process: exec: \\"/x\\": stat /x: no such file or directory"\n';
  assert.equal(cleanRuncMessage(raw), 'runc create failed: unable to start container process: exec: "/x": stat /x: no such file or directory');
  assert.equal(cleanRuncMessage(' plain \n'), 'plain');
});
