// Service management: the shipped systemd units, installed by the documented script, pass
// `systemd-analyze verify` without a warning; the daemon started by socket activation
// (systemd-socket-activate, which hands over the listening socket as systemd does) serves the CLI on it,
// logs JSON lines with levels, leaves systemd's socket in place when it stops, and `peapod info`
// reports disk use, image GC, log rotation and eviction state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { paths } from '../../src/common/config.js';
import { runUnchecked } from '../../src/host/exec.js';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { makeTestRoots } from '../helpers/roots.js';
import { PEAPOD_BIN } from '../helpers/cli.js';
import { DAEMON_MALLOC_ENV } from '../../src/cli/daemon-flags.js';

const CHECKOUT = fileURLToPath(new URL('../../../', import.meta.url));

test('the systemd units install and verify cleanly', { timeout: 60_000 }, async (t) => {
  const dest = await mkdtemp(join(tmpdir(), 'peapod-units-'));
  t.after(() => rm(dest, { recursive: true, force: true }));
  const install = await runUnchecked('bash', [join(CHECKOUT, 'scripts/install-systemd.sh'), '--dest', dest, '--no-enable'], { timeoutMs: 30_000 });
  assert.equal(install.code, 0, install.stderr);
  const service = await readFile(join(dest, 'peapod.service'), 'utf8');
  assert.match(service, new RegExp(`^ExecStart=${PEAPOD_BIN} daemon$`, 'm'));
  assert.match(service, /^KillMode=process$/m, 'containers outlive a stopped daemon');
  // The unit's daemon gets the malloc settings a daemon started by the CLI gets.
  const environment = [...service.matchAll(/^Environment=(.*)$/gm)].flatMap((m) => (m[1] ?? '').split(' '));
  for (const [name, value] of Object.entries(DAEMON_MALLOC_ENV)) assert.ok(environment.includes(`${name}=${value}`), `${name}=${value} in the unit`);
  const verify = await runUnchecked('systemd-analyze', ['verify', join(dest, 'peapod.service'), join(dest, 'peapod.socket')], { timeoutMs: 30_000 });
  assert.equal(verify.code, 0, verify.stderr);
  assert.equal(`${verify.stdout}${verify.stderr}`.trim(), '', 'no warning from systemd-analyze');
});

test('socket activation, JSON log lines, and info with disk use and GC state', { timeout: 90_000 }, async (t) => {
  const roots = await makeTestRoots({ logFormat: 'json' });
  t.after(() => roots.cleanup());
  const env = roots.env();
  const passed = Object.entries(env).flatMap(([k, v]) => (k.startsWith('PEAPOD_') || k === 'PATH' || k === 'HOME' ? ['-E', `${k}=${v ?? ''}`] : []));
  const activator = spawn('systemd-socket-activate', ['-l', roots.config.socket, ...passed, process.execPath, PEAPOD_BIN, 'daemon'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  activator.stdout.on('data', (d: Buffer) => (output += d.toString()));
  activator.stderr.on('data', (d: Buffer) => (output += d.toString()));
  t.after(() => activator.kill('SIGKILL'));
  await waitFor(
    () =>
      access(roots.config.socket).then(
        () => true,
        () => false,
      ),
    { timeoutMs: 10_000, description: 'the activator to listen' },
  );

  // The first connection starts the daemon, which serves it on the inherited socket.
  const version = await runCli(env, ['version']);
  assert.equal(version.code, 0, `${version.stderr}\n${output}`);
  assert.match(version.stdout, /Daemon Version: /);
  const info = await runCli(env, ['info']);
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout, /^Disk \(root\): +\d+% used, [\d.]+ MiB free of [\d.]+ MiB; logs [\d.]+ MiB, image blobs [\d.]+ MiB$/m);
  assert.match(info.stdout, /^Image GC: +at 100% down to 99%; last pass \S+; 0 image\(s\) removed$/m);
  assert.match(info.stdout, /^Log rotation: +10\.0 MiB x 5 files; 0 rotation\(s\)$/m);
  assert.match(info.stdout, /^Eviction: +none$/m);
  assert.match(info.stdout, /^Metrics: +off$/m);
  assert.match(info.stdout, new RegExp(`^Pod starts: +at most ${roots.config.maxParallelPodStarts} sandboxes made at once$`, 'm'));
  const json = JSON.parse((await runCli(env, ['info', '-o', 'json'])).stdout) as { operations: { disk: { usedPercent: number } } };
  assert.equal(typeof json.operations.disk.usedPercent, 'number');

  const lines = output.split('\n').filter((l) => l.startsWith('{'));
  const parsed = lines.map((l) => JSON.parse(l) as { time: string; level: string; msg: string });
  assert.ok(
    parsed.some((l) => l.level === 'info' && /listening on .* \(socket from systemd\)$/.test(l.msg)),
    output,
  );
  assert.ok(parsed.every((l) => !Number.isNaN(Date.parse(l.time)) && ['info', 'warn', 'error'].includes(l.level)));

  const pid = Number((await readFile(paths(roots.config).daemonPid, 'utf8')).trim());
  process.kill(pid, 'SIGTERM');
  await waitFor(
    () =>
      access(paths(roots.config).daemonPid).then(
        () => false,
        () => true,
      ),
    { timeoutMs: 20_000, description: 'the daemon to stop' },
  );
  await access(roots.config.socket); // systemd's socket stays: the next connection starts the daemon again
  activator.kill('SIGTERM');
  if (activator.exitCode === null && activator.signalCode === null) await once(activator, 'exit');
  await rm(roots.config.socket, { force: true });
  await assertNoLeaks(roots.config);
});
