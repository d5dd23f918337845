// CRI Attach with stdin on real containers (conmon's attach socket): without and with a TTY, detach
// (the client hangs up and the container keeps running, its stdin open for the next attach), and
// stdin_once (the client closing stdin closes the container's, so `sh` ends and the session with it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { assertNoLeaks } from '../helpers/leaks.js';
import { waitFor } from '../helpers/wait.js';
import { containerConfig, containerStatus, sandboxConfig, startCriTest } from './harness.js';
import { collect, headers, upgrade, waitForOutput } from './streaming-client.js';

const V4 = 'v4.channel.k8s.io';
const OUTPUT_TIMEOUT_MS = 20_000;
/** How long a detached container is watched to still be running. */
const STILL_RUNNING_MS = 1_000;

test('Attach with stdin: pipes, a TTY, detach and stdin_once', async (t) => {
  const cri = await startCriTest(t);
  const { client, roots } = cri;
  const config = sandboxConfig(roots, 'attach');
  const { pod_sandbox_id: podId } = await client.runtime<{ pod_sandbox_id: string }>('RunPodSandbox', { config });
  const start = async (name: string, extra: Record<string, unknown>): Promise<string> => {
    const { container_id: id } = await client.runtime<{ container_id: string }>('CreateContainer', {
      pod_sandbox_id: podId,
      config: containerConfig(name, ['sh'], extra),
      sandbox_config: config,
    });
    await client.runtime('StartContainer', { container_id: id });
    return id;
  };
  const attach = async (id: string, options: { tty: boolean }) => {
    const { url } = await client.runtime<{ url: string }>('Attach', { container_id: id, stdin: true, stdout: true, stderr: !options.tty, tty: options.tty });
    const conn = (await upgrade(url, [V4])).connection;
    assert.ok(conn);
    const error = await conn.openStream(headers({ streamtype: 'error' }));
    const stdin = await conn.openStream(headers({ streamtype: 'stdin' }));
    const stdout = await conn.openStream(headers({ streamtype: 'stdout' }));
    const stderr = options.tty ? undefined : await conn.openStream(headers({ streamtype: 'stderr' }));
    if (options.tty) await conn.openStream(headers({ streamtype: 'resize' }));
    return { conn, stdin, stdout, stderr, status: collect(error) };
  };

  await t.test('stdin_once without a TTY: input reaches sh, output comes back apart, closing stdin ends it', async () => {
    const id = await start('once', { stdin: true, stdin_once: true });
    const s = await attach(id, { tty: false });
    assert.ok(s.stderr);
    const out = waitForOutput(s.stdout, /hello\n/, OUTPUT_TIMEOUT_MS);
    const err = waitForOutput(s.stderr, /oops\n/, OUTPUT_TIMEOUT_MS);
    s.stdin.write('echo hello; echo oops >&2\n');
    assert.equal(await out, 'hello\n');
    assert.equal(await err, 'oops\n');
    s.stdin.end();
    const status = await Promise.race([s.status, delay(OUTPUT_TIMEOUT_MS).then(() => 'no status')]);
    assert.equal((JSON.parse(status) as { status: string }).status, 'Success', status);
    // The daemon learns of the exit from conmon's exit file, a moment after the session ended.
    await waitFor(async () => (await containerStatus(client, id)).state === 'CONTAINER_EXITED', {
      timeoutMs: OUTPUT_TIMEOUT_MS,
      description: 'sh to exit at the end of its stdin',
    });
    assert.equal((await containerStatus(client, id)).exit_code, 0);
  });

  await t.test('detach: the client hangs up, the container keeps running and its stdin serves the next attach', async () => {
    const id = await start('keep', { stdin: true, stdin_once: false });
    const first = await attach(id, { tty: false });
    const one = waitForOutput(first.stdout, /one\n/, OUTPUT_TIMEOUT_MS);
    first.stdin.write('echo one\n');
    await one;
    first.conn.destroy();
    const second = await attach(id, { tty: false });
    const two = waitForOutput(second.stdout, /two\n/, OUTPUT_TIMEOUT_MS);
    second.stdin.write('echo two\n');
    assert.equal(await two, 'two\n', 'only what came after this attach');
    // Without stdin_once, closing stdin detaches it only: the container's stdin stays open.
    second.stdin.end();
    await delay(STILL_RUNNING_MS);
    assert.equal((await containerStatus(client, id)).state, 'CONTAINER_RUNNING');
    second.conn.destroy();
    await delay(STILL_RUNNING_MS);
    assert.equal((await containerStatus(client, id)).state, 'CONTAINER_RUNNING');
  });

  await t.test('with a TTY: sh runs on the container terminal; exit ends the session', async () => {
    const id = await start('tty', { stdin: true, stdin_once: true, tty: true });
    const s = await attach(id, { tty: true });
    const answer = waitForOutput(s.stdout, /is-a-tty\r\n/, OUTPUT_TIMEOUT_MS);
    s.stdin.write('[ -t 0 ] && echo is-a-tty\n');
    await answer;
    s.stdin.write('exit 0\n');
    const status = await Promise.race([s.status, delay(OUTPUT_TIMEOUT_MS).then(() => 'no status')]);
    assert.equal((JSON.parse(status) as { status: string }).status, 'Success', status);
  });

  await client.runtime('StopPodSandbox', { pod_sandbox_id: podId });
  await client.runtime('RemovePodSandbox', { pod_sandbox_id: podId });
  client.close();
  await cri.daemon.stop();
  await assertNoLeaks(roots.config);
});
