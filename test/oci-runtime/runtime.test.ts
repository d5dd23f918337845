// runc + conmon for real, as root: logs, exit codes, stop with and without a SIGTERM handler, exec,
// removal, and containers outliving the process that created them.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runUnchecked } from '../../src/host/exec.js';
import { findProcesses, isAlive, processCgroups, readProcStat } from '../../src/host/proc.js';
import { waitFor } from '../helpers/wait.js';
import { makeRuntimeFixture } from './fixture.js';
import type { RuntimeFixture } from './fixture.js';
import { paths } from '../../src/common/config.js';

let fx: RuntimeFixture;
before(async () => {
  fx = await makeRuntimeFixture();
});
after(async () => {
  await fx.teardown();
});

const LOG_LINE = /^(\S+) (stdout|stderr) (F|P) (.*)$/;
/** Longer than conmon's STDIO_BUF_SIZE (8192), so conmon must split it into P entries. */
const LONG_LINE_BYTES = 20_000;

interface LogEntry {
  readonly time: string;
  readonly stream: string;
  readonly tag: string;
  readonly text: string;
}

async function readLog(path: string): Promise<LogEntry[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const m = LOG_LINE.exec(line);
      assert.ok(m, `not a CRI log line: ${line.slice(0, 100)}`);
      return { time: m[1] ?? '', stream: m[2] ?? '', tag: m[3] ?? '', text: m[4] ?? '' };
    });
}

test('conmon writes CRI-format logs with F and P entries and records exit code 3', async () => {
  const script = `echo out; echo err >&2; head -c ${LONG_LINE_BYTES} /dev/zero | tr '\\0' a; echo; exit 3`;
  const c = await fx.run(['sh', '-c', script]);
  const exit = await fx.runtime.waitExit(c.id, 10_000);
  assert.equal(exit.exitCode, 3);
  assert.equal(exit.signal, undefined);
  assert.ok(Math.abs(Date.parse(exit.finishedAt) - Date.now()) < 60_000, `finishedAt ${exit.finishedAt} is now-ish`);

  const entries = await readLog(c.logPath);
  assert.ok(
    entries.some((e) => e.stream === 'stdout' && e.tag === 'F' && e.text === 'out'),
    'stdout F out',
  );
  assert.ok(
    entries.some((e) => e.stream === 'stderr' && e.tag === 'F' && e.text === 'err'),
    'stderr F err',
  );
  for (const e of entries) assert.ok(!Number.isNaN(Date.parse(e.time)) && /\.\d{9}/.test(e.time), `RFC3339Nano time: ${e.time}`);
  // The long line: P entries of at most one buffer each, closed by an F entry (possibly empty when the
  // newline arrived in a read of its own), which together give back the line.
  const stdout = entries.filter((e) => e.stream === 'stdout');
  const first = stdout.findIndex((e) => e.text.startsWith('a'));
  const end = stdout.findIndex((e, i) => i >= first && e.tag === 'F');
  assert.ok(first >= 0 && end > first, 'the long line is split into several entries');
  const long = stdout.slice(first, end + 1);
  assert.ok(
    long.slice(0, -1).every((e) => e.tag === 'P'),
    'P entries before the F entry',
  );
  assert.equal(long.map((e) => e.text).join(''), 'a'.repeat(LONG_LINE_BYTES));

  const state = await fx.runtime.state(c.id);
  assert.equal(state?.status, 'stopped');
  assert.equal(state.status === 'stopped' ? state.exit?.exitCode : undefined, 3);
  await fx.runtime.remove(c.id);
});

test('create reports the runc create error from conmon and leaves nothing behind', async () => {
  const c = await fx.bundle(['/no/such/binary']);
  // A rootfs that does not exist makes `runc create` itself fail.
  const configPath = join(c.bundle, 'config.json');
  const config = JSON.parse(await readFile(configPath, 'utf8')) as { root: { path: string } };
  config.root.path = 'missing-rootfs';
  await writeFile(configPath, JSON.stringify(config));
  await assert.rejects(fx.runtime.create(c.id, { bundle: c.bundle, logPath: c.logPath }), (err: Error) => {
    assert.match(err.message, /runc create failed/);
    return true;
  });
  assert.equal(await fx.runtime.state(c.id), undefined);
  assert.ok(!(await fx.runtime.list()).includes(c.id));
});

test('stop: a container handling SIGTERM exits with its own code', async () => {
  const c = await fx.run(['sh', '-c', "trap 'echo bye; exit 42' TERM; echo ready; sleep 1000 & wait"]);
  await waitFor(async () => (await readFile(c.logPath, 'utf8')).includes('ready'), { timeoutMs: 5000, description: 'the trap to be set' });
  const started = Date.now();
  const exit = await fx.runtime.stop(c.id, 10_000);
  assert.equal(exit.exitCode, 42);
  assert.ok(Date.now() - started < 5000, 'it did not wait for the grace period');
  await fx.runtime.remove(c.id);
});

test('state: a running container says when it was started, not when it was created', async () => {
  const c = await fx.bundle(['sleep', '1000']);
  await fx.runtime.create(c.id, { bundle: c.bundle, logPath: c.logPath });
  // The create's own time is behind us for sure (its meta was written before this instant).
  await delay(20);
  const before = Date.now();
  await fx.runtime.start(c.id);
  const after = Date.now();
  const state = await fx.runtime.state(c.id);
  assert.equal(state?.status, 'running');
  const startedAt = state?.status === 'running' ? (state.startedAt ?? '') : '';
  assert.ok(Date.parse(startedAt) >= before && Date.parse(startedAt) <= after, `startedAt ${startedAt} within the start`);
  await fx.runtime.remove(c.id);
});

test('stop: sleep as PID 1 ignores SIGTERM and is SIGKILLed after the grace period (137)', async () => {
  const c = await fx.run(['sleep', '1000']);
  assert.equal((await fx.runtime.state(c.id))?.status, 'running');
  const graceMs = 600;
  const started = Date.now();
  const exit = await fx.runtime.stop(c.id, graceMs);
  const took = Date.now() - started;
  assert.equal(exit.exitCode, 137);
  assert.equal(exit.signal, 9);
  assert.ok(took >= graceMs, `waited the grace period (${took} ms)`);
  assert.ok(took < graceMs + 3000, `then killed promptly (${took} ms)`);
  // Stopping again answers from the exit file.
  assert.equal((await fx.runtime.stop(c.id, graceMs)).exitCode, 137);
  await fx.runtime.remove(c.id);
});

test('stop: a paused (frozen) container is resumed and stopped; its pending SIGTERM is handled', async () => {
  const c = await fx.run(['sh', '-c', "trap 'exit 42' TERM; echo ready; sleep 1000 & wait"]);
  await waitFor(async () => (await readFile(c.logPath, 'utf8')).includes('ready'), { timeoutMs: 5000, description: 'the trap to be set' });
  const runcRoot = paths(fx.roots.config).runcRoot;
  const paused = await runUnchecked('runc', ['--root', runcRoot, 'pause', c.id]);
  assert.equal(paused.code, 0, paused.stderr);
  // stop signals without asking runc first; the frozen shell cannot act on it, so after the grace period
  // stop finds the container paused, thaws it, and the pending TERM (or the KILL after it) ends it.
  const exit = await fx.runtime.stop(c.id, 300);
  assert.ok(exit.exitCode === 42 || exit.exitCode === 137, `exit ${exit.exitCode}`);
  assert.equal((await fx.runtime.state(c.id))?.status, 'stopped');
  await fx.runtime.remove(c.id);
});

test('execSync: output, exit code, env and cwd', async () => {
  const c = await fx.run(['sleep', '1000']);
  const r = await fx.runtime.execSync(c.id, ['sh', '-c', 'echo hi $FOO; pwd; echo oops >&2; exit 5'], { timeoutMs: 10_000, env: ['FOO=bar'], cwd: '/bin' });
  assert.deepEqual(
    { ...r, stdout: r.stdout.toString(), stderr: r.stderr.toString() },
    { exitCode: 5, stdout: 'hi bar\n/bin\n', stderr: 'oops\n', timedOut: false },
  );
  const ok = await fx.runtime.execSync(c.id, ['true'], { timeoutMs: 10_000 });
  assert.equal(ok.exitCode, 0);
  await fx.runtime.stop(c.id, 0);
  await fx.runtime.remove(c.id);
});

test('execSync: a timeout kills the exec’d process and reports timedOut', async () => {
  const c = await fx.run(['sleep', '1000']);
  const started = Date.now();
  const r = await fx.runtime.execSync(c.id, ['sh', '-c', 'echo started; sleep 777'], { timeoutMs: 400 });
  assert.equal(r.timedOut, true);
  assert.ok(Date.now() - started < 5000);
  await waitFor(async () => (await findProcesses((argv) => argv[0] === 'sleep' && argv[1] === '777')).length === 0, {
    timeoutMs: 3000,
    description: "the exec'd sleep 777 to be gone",
  });
  // Nothing of the exec may be left for the host's PID 1 to reap: the container stops at once.
  const stopping = Date.now();
  assert.equal((await fx.runtime.stop(c.id, 0)).exitCode, 137);
  assert.ok(Date.now() - stopping < 1000, `stop took ${Date.now() - stopping} ms`);
  await fx.runtime.remove(c.id);
});

test('remove kills a running container, is idempotent, and forgets it', async () => {
  const c = await fx.run(['sleep', '1000']);
  assert.ok((await fx.runtime.list()).includes(c.id));
  await fx.runtime.remove(c.id);
  await fx.runtime.remove(c.id);
  assert.equal(await fx.runtime.state(c.id), undefined);
  assert.ok(!(await fx.runtime.list()).includes(c.id));
  assert.equal(await isAlive(c.pid), false);
});

test('execCommand gives the argv for an interactive exec', () => {
  const argv = fx.runtime.execCommand('abc', ['sh'], { tty: true, interactive: true, env: ['A=1'], cwd: '/tmp' });
  assert.deepEqual(argv, [fx.roots.config.runtimePath, '--root', paths(fx.roots.config).runcRoot, 'exec', '-t', '--env', 'A=1', '--cwd', '/tmp', 'abc', 'sh']);
});

test('a container outlives the process that created it; conmon is detached from it', async () => {
  const c = await fx.bundle(['sleep', '1000']);
  const p = paths(fx.roots.config);
  const runtimeModule = fileURLToPath(new URL('../../src/host/oci-runtime/runtime.js', import.meta.url));
  const script = `
    const { createOciRuntime } = await import(${JSON.stringify(runtimeModule)});
    const rt = createOciRuntime(${JSON.stringify({ runtimePath: 'runc', conmonPath: 'conmon', runcRoot: p.runcRoot, stateDir: p.conmon, exitDir: p.exits })});
    const created = await rt.create(${JSON.stringify(c.id)}, { bundle: ${JSON.stringify(c.bundle)}, logPath: ${JSON.stringify(c.logPath)} });
    await rt.start(${JSON.stringify(c.id)});
    process.stdout.write(JSON.stringify({ ...created, self: process.pid }));
  `;
  const r = await runUnchecked(process.execPath, ['--input-type=module', '-e', script], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  const created = JSON.parse(r.stdout) as { pid: number; conmonPid: number; self: number };
  assert.equal(await isAlive(created.self), false, 'the creator has exited');

  const state = await fx.runtime.state(c.id);
  assert.deepEqual(state && { status: state.status, pid: 'pid' in state ? state.pid : 0 }, { status: 'running', pid: created.pid });
  assert.ok(await isAlive(created.conmonPid), 'conmon still runs');
  const conmon = await readProcStat(created.conmonPid);
  const mine = await readProcStat(process.pid);
  assert.ok(conmon && mine);
  assert.notEqual(conmon.session, mine.session, 'conmon has its own session');
  assert.notEqual(conmon.pgrp, mine.pgrp, 'and its own process group');
  const cgroups = await processCgroups(created.conmonPid);
  assert.ok(cgroups && ![...cgroups.values()].some((path) => path.includes(fx.roots.config.cgroupRoot)), 'conmon is outside the container cgroups');

  const exit = await fx.runtime.stop(c.id, 0);
  assert.equal(exit.exitCode, 137);
  await fx.runtime.remove(c.id);
});

test('a container without its own PID namespace is stopped with kill --all', async () => {
  const c = await fx.run(['sh', '-c', "trap '' TERM; sleep 888 & sleep 1000"], { hostPid: true });
  await waitFor(async () => (await findProcesses((argv) => argv[0] === 'sleep' && argv[1] === '888')).length === 1, {
    timeoutMs: 5000,
    description: 'the background sleep',
  });
  const exit = await fx.runtime.stop(c.id, 200);
  assert.equal(exit.exitCode, 137);
  await fx.runtime.remove(c.id);
  await waitFor(async () => (await findProcesses((argv) => argv[0] === 'sleep' && argv[1] === '888')).length === 0, {
    timeoutMs: 5000,
    description: 'the background sleep to be killed too',
  });
});

test('an OOM-killed container: 137 and oomKilled from conmon’s oom marker', async () => {
  const c = await fx.bundle(['sh', '-c', 'x=$(head -c 64000000 /dev/zero | tr "\\0" a); echo survived']);
  const configPath = join(c.bundle, 'config.json');
  const config = JSON.parse(await readFile(configPath, 'utf8')) as { linux: Record<string, unknown> };
  const limit = 16 * 1024 * 1024;
  config.linux.resources = { memory: { limit, swap: limit } };
  await writeFile(configPath, JSON.stringify(config));
  await fx.runtime.create(c.id, { bundle: c.bundle, logPath: c.logPath });
  await fx.runtime.start(c.id);
  const exit = await fx.runtime.waitExit(c.id, 20_000);
  assert.deepEqual({ code: exit.exitCode, oom: exit.oomKilled }, { code: 137, oom: true });
  const state = await fx.runtime.state(c.id);
  assert.equal(state?.status === 'stopped' ? state.exit?.oomKilled : undefined, true);
  assert.doesNotMatch(await readFile(c.logPath, 'utf8'), /survived/);
  await fx.runtime.remove(c.id);
});

test('a normal exit has no oomKilled, and state() of an unknown ID is undefined', async () => {
  const c = await fx.run(['true']);
  const exit = await fx.runtime.waitExit(c.id, 10_000);
  assert.deepEqual({ code: exit.exitCode, oom: exit.oomKilled }, { code: 0, oom: undefined });
  await fx.runtime.remove(c.id);
  assert.equal(await fx.runtime.state('tnever-created'), undefined);
  await assert.rejects(fx.runtime.waitExit('tnever-created', 1000), { code: 'NotFound' });
  await assert.rejects(fx.runtime.create('../escape', { bundle: c.bundle, logPath: c.logPath }), { code: 'InvalidArgument' });
});

test('conmon killed under a running container: stop still ends it and reports CRI-O’s 255', async () => {
  const c = await fx.run(['sleep', '1000']);
  process.kill(c.conmonPid, 'SIGKILL');
  await waitFor(async () => !(await isAlive(c.conmonPid)), { timeoutMs: 5000, description: 'conmon to die' });
  assert.equal((await fx.runtime.state(c.id))?.status, 'running', 'the container does not depend on its monitor');
  const started = Date.now();
  const exit = await fx.runtime.stop(c.id, 0);
  assert.equal(exit.exitCode, 255);
  assert.ok(Date.now() - started < 3000, 'found by the slow poll, not the kill timeout');
  assert.deepEqual(await fx.runtime.state(c.id), { status: 'stopped' });
  await fx.runtime.remove(c.id);
});
