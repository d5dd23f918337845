// One daemon per state directory, attacked: a second `peapod daemon` on the same roots (and one that
// dodges the API socket check with a socket of its own), ten CLIs racing to auto-start a daemon on a
// cold state, and a holder killed with SIGKILL while its containers (and their conmons) live on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAEMON_MAIN, DAEMON_NODE_FLAGS } from '../../src/cli/daemon-flags.js';
import { paths } from '../../src/common/config.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';
import { makeTestRoots, type TestRoots } from '../helpers/roots.js';
import { loadBusybox, startDaemon } from '../helpers/daemon.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
/** "At once": a refused daemon does no work, so this is mostly Node's own start. */
const REFUSAL_MS = 5000;
const RACERS = 10;

/** Live daemons (`peapod daemon`, or daemon-main.js as the CLI starts one) whose environment names these roots (the CLI's daemons carry no root in argv). */
async function daemonsOf(roots: TestRoots): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const [cmdline, environ] = await Promise.all([
      readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => ''),
      readFile(`/proc/${name}/environ`, 'utf8').catch(() => ''),
    ]);
    const argv = cmdline.split('\0');
    const isDaemon = (argv.includes(MAIN) && argv.includes('daemon')) || argv.includes(DAEMON_MAIN);
    if (isDaemon && environ.split('\0').includes(`PEAPOD_ROOT=${roots.config.root}`)) out.push(Number(name));
  }
  return out;
}

async function killAll(pids: readonly number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  await waitFor(
    async () =>
      (
        await Promise.all(
          pids.map((pid) =>
            readFile(`/proc/${pid}/stat`).then(
              () => true,
              () => false,
            ),
          ),
        )
      ).every((alive) => !alive),
    {
      timeoutMs: 30_000,
      description: 'the daemons to stop',
    },
  );
}

/** Runs `peapod daemon` to its end; the test fails if it is still running after REFUSAL_MS. */
async function secondDaemon(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, MAIN, 'daemon'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), REFUSAL_MS);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output, ms: Date.now() - started };
}

test('a second daemon on the same state exits at once, non-zero, naming the holder; the first keeps serving', { timeout: 60_000 }, async (t) => {
  const roots = await makeTestRoots();
  t.after(() => roots.cleanup());
  const first = await startDaemon(roots);
  const holder = String(first.child.pid);

  const same = await secondDaemon(roots.env());
  assert.notEqual(same.code, 0, `second daemon exit code (output: ${same.output})`);
  assert.ok(same.code !== null, `the second daemon did not exit within ${REFUSAL_MS} ms: ${same.output}`);
  assert.match(same.output, new RegExp(`pid ${holder}\\b`), 'the message names the holder PID');

  // Same state, its own socket and run root: a socket check cannot see the first daemon, the lock must.
  const dodge = { ...roots.env(), PEAPOD_SOCKET: join(roots.dir, 'other.sock'), PEAPOD_RUN_ROOT: join(roots.dir, 'other-run') };
  const other = await secondDaemon(dodge);
  assert.ok(other.code !== null && other.code !== 0, `a daemon on the same root with another socket was not refused (exit ${other.code}): ${other.output}`);
  assert.match(other.output, new RegExp(`pid ${holder}\\b`));

  const r = await runCli(roots.env(), ['get', 'pods']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await daemonsOf(roots), [first.child.pid]);
  await first.stop();
  await assertNoLeaks(roots.config);
});

test(`${RACERS} CLIs auto-starting a daemon on a cold state: all succeed, exactly one daemon runs`, { timeout: 120_000 }, async (t) => {
  const roots = await makeTestRoots();
  t.after(async () => {
    await killAll(await daemonsOf(roots)).catch(() => undefined);
    await roots.cleanup();
  });
  const results = await Promise.all(Array.from({ length: RACERS }, () => runCli(roots.env(), ['get', 'pods'])));
  for (const [i, r] of results.entries()) assert.equal(r.code, 0, `CLI ${i}: ${r.stderr}`);
  // The losers exit as soon as they meet the lock; give them that moment, then count.
  const daemons = await waitFor(
    async () => {
      const live = await daemonsOf(roots);
      return live.length === 1 ? live : undefined;
    },
    { timeoutMs: REFUSAL_MS, description: 'a single daemon to remain' },
  ).catch(async (err: unknown) => {
    throw new Error(`${String(err)}: daemons ${(await daemonsOf(roots)).join(', ')}`);
  });
  const recorded = Number((await readFile(join(roots.config.root, 'peapod.lock'), 'utf8')).trim());
  assert.equal(recorded, daemons[0], 'the lock names the daemon that runs');
  await killAll(daemons);
  // A CLI-started daemon's log outlives it on purpose (it is where a failed start is explained).
  await rm(paths(roots.config).daemonLog);
  await assertNoLeaks(roots.config);
});

test('a holder killed with SIGKILL frees the lock at once, though its conmons live on', { timeout: 120_000 }, async (t) => {
  const roots = await makeTestRoots();
  let daemon = await startDaemon(roots);
  t.after(async () => {
    await daemon.stop().catch(() => undefined);
    await roots.cleanup();
  });
  await loadBusybox(roots);
  const manifest = join(roots.dir, 'sleeper.yaml');
  await writeFile(
    manifest,
    'apiVersion: v1\nkind: Pod\nmetadata: {name: sleeper}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n    - {name: c, image: docker.io/library/busybox:latest, imagePullPolicy: IfNotPresent, command: [sleep, "3600"]}\n',
  );
  const applied = await runCli(roots.env(), ['apply', '-f', manifest, '--wait', '--timeout', '60']);
  assert.equal(applied.code, 0, applied.stderr);
  await daemon.kill();
  daemon = await startDaemon(roots);
  const r = await runCli(roots.env(), ['delete', 'pod', 'sleeper']);
  assert.equal(r.code, 0, r.stderr);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
