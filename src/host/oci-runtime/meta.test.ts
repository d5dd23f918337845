import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMeta, resolveExecutable, sharesPidNamespace, writeMeta } from './meta.js';

test('a container shares a PID namespace when config.json has none of its own', () => {
  assert.equal(sharesPidNamespace({ linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }] } }), false);
  assert.equal(sharesPidNamespace({ linux: { namespaces: [{ type: 'pid', path: '/proc/9/ns/pid' }] } }), true);
  assert.equal(sharesPidNamespace({ linux: { namespaces: [{ type: 'mount' }] } }), true);
  assert.equal(sharesPidNamespace({}), true);
});

test('meta round trip; absent → undefined', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'peapod-meta-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(await readMeta(dir), undefined);
  const meta = { bundle: '/b', killAll: false, pid: 5, pidStartTime: 9, conmonPid: 4, conmonStartTime: 8 };
  await writeMeta(dir, meta);
  assert.deepEqual(await readMeta(dir), meta);
});

test('resolveExecutable searches PATH for bare names only, and checks a path is there', async () => {
  assert.equal(await resolveExecutable('/bin/sh', '/nonexistent'), '/bin/sh');
  await assert.rejects(resolveExecutable('/x/runc'), { code: 'FailedPrecondition', message: /\/x\/runc: no such file/ });
  assert.equal(await resolveExecutable('sh', '/nonexistent:/bin'), '/bin/sh');
  await assert.rejects(resolveExecutable('no-such-tool-here', '/bin'), { code: 'FailedPrecondition' });
});
