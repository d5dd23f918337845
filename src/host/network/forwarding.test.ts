import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ipForwarding } from './forwarding.js';

test('ip_forward: on is no problem; a failed write is reported with its cause; off later is reported too', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fwd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'ip_forward');
  await writeFile(path, '0\n');
  const ok = ipForwarding(path);
  await ok.enable();
  assert.equal(await ok.problem(), undefined);

  await writeFile(path, '0\n');
  assert.match((await ok.problem()) ?? '', /IPv4 forwarding is off \(.*ip_forward: 0\): pods cannot reach/);

  // A write that fails is not swallowed: its cause is part of the report.
  const denied = ipForwarding(join(dir, 'no-such-dir', 'ip_forward'));
  await denied.enable();
  assert.match((await denied.problem()) ?? '', /unreadable: .*ENOENT.*; enabling it failed: .*ENOENT/);
});
