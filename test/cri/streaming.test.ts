// The CRI streaming server on real containers: Exec (pipes and a TTY with resize), Attach and
// PortForward through the URLs the RPCs return, spoken as client-go speaks them (SPDY/3.1 upgrade,
// remotecommand v4, portforward.k8s.io), plus the token rules and no leaks afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeaks } from '../helpers/leaks.js';
import { containerConfig, sandboxConfig, startCriTest } from './harness.js';
import { setTimeout as delay } from 'node:timers/promises';
import { collect, headers, upgrade, waitForOutput } from './streaming-client.js';

const V4 = 'v4.channel.k8s.io';
const OUTPUT_TIMEOUT_MS = 20_000;
/** Bounded: each attempt asks the shell for its size again after a resize. */
const RESIZE_ATTEMPTS = 50;
const PROMPT_TIMEOUT_MS = 10_000;
const RESIZE_WAIT_MS = 2_000;

interface Status {
  status: string;
  reason?: string;
  details?: { causes?: { reason: string; message: string }[] };
}

test('Exec, Attach and PortForward through the streaming server', async (t) => {
  const cri = await startCriTest(t);
  const { client, roots } = cri;
  const config = sandboxConfig(roots, 'streaming');
  const { pod_sandbox_id: podId } = await client.runtime<{ pod_sandbox_id: string }>('RunPodSandbox', { config });
  const start = async (name: string, command: string[], extra = {}): Promise<string> => {
    const { container_id: id } = await client.runtime<{ container_id: string }>('CreateContainer', {
      pod_sandbox_id: podId,
      config: containerConfig(name, command, extra),
      sandbox_config: config,
    });
    await client.runtime('StartContainer', { container_id: id });
    return id;
  };
  // httpd on the pod's loopback only: reachable through port-forward, not from the host.
  const web = await start('web', ['sh', '-c', 'mkdir -p /www && echo pong > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www']);
  const ticker = await start('ticker', ['sh', '-c', 'i=0; while [ $i -lt 6000 ]; do echo tick $i; echo tock $i >&2; i=$((i+1)); sleep 0.1; done']);

  await t.test('exec with pipes: stdin, stdout, stderr and the exit code', async () => {
    const { url } = await client.runtime<{ url: string }>('Exec', {
      container_id: web,
      cmd: ['sh', '-c', 'read line; echo "got $line"; echo oops >&2; exit 3'],
      stdin: true,
      stdout: true,
      stderr: true,
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/exec\/[A-Za-z0-9_-]+$/);
    const up = await upgrade(url, [V4, 'channel.k8s.io']);
    assert.equal(up.status, 101, up.headers);
    assert.match(up.headers, /X-Stream-Protocol-Version: v4\.channel\.k8s\.io/i);
    const conn = up.connection;
    assert.ok(conn);
    const error = await conn.openStream(headers({ streamtype: 'error' }));
    const stdin = await conn.openStream(headers({ streamtype: 'stdin' }));
    const stdout = await conn.openStream(headers({ streamtype: 'stdout' }));
    const stderr = await conn.openStream(headers({ streamtype: 'stderr' }));
    const [out, err, status] = [collect(stdout), collect(stderr), collect(error)];
    stdin.end('world\n');
    assert.equal(await out, 'got world\n');
    assert.equal(await err, 'oops\n');
    const s = JSON.parse(await status) as Status;
    assert.equal(s.status, 'Failure');
    assert.equal(s.reason, 'NonZeroExitCode');
    assert.deepEqual(s.details?.causes, [{ reason: 'ExitCode', message: '3' }]);
    conn.destroy();

    // Single use: the same URL again is unknown.
    assert.equal((await upgrade(url, [V4])).status, 404);
  });

  await t.test('exec with a TTY follows resizes and reports success', async () => {
    const { url } = await client.runtime<{ url: string }>('Exec', { container_id: web, cmd: ['sh'], stdin: true, stdout: true, tty: true });
    const conn = (await upgrade(url, [V4])).connection;
    assert.ok(conn);
    const error = await conn.openStream(headers({ streamtype: 'error' }));
    const stdin = await conn.openStream(headers({ streamtype: 'stdin' }));
    const stdout = await conn.openStream(headers({ streamtype: 'stdout' }));
    // ash asks the terminal for the cursor position as it prints its prompt: input typed before that
    // would be taken for the answer, so the shell gets to its prompt first.
    const prompt = waitForOutput(stdout, /# /, PROMPT_TIMEOUT_MS);
    const resize = await conn.openStream(headers({ streamtype: 'resize' }));
    const status = collect(error);
    await prompt;
    resize.write(`${JSON.stringify({ Width: 123, Height: 45 })}\n`);
    // The resize reaches the pty asynchronously: ask again (bounded) until the shell sees it. Lines end
    // in the container pty's own "\r\n", never "\r\r\n" (see src/host/tty-shim.ts).
    let seen = '';
    for (let i = 0; i < RESIZE_ATTEMPTS && !/45 123/.test(seen); i++) {
      stdin.write('stty size\n');
      seen = await waitForOutput(stdout, /\d+ \d+\r\n[^]*$/, RESIZE_WAIT_MS);
    }
    assert.doesNotMatch(seen, /\r\r\n/);
    assert.match(seen, /45 123/);
    const tty = waitForOutput(stdout, /is-a-tty/, OUTPUT_TIMEOUT_MS);
    stdin.write('[ -t 0 ] && echo is-a-tty\n');
    await tty;
    stdin.write('exit 0\n');
    const settled = await Promise.race([status, delay(OUTPUT_TIMEOUT_MS).then(() => 'no status')]);
    assert.notEqual(settled, 'no status', `no exit status within ${OUTPUT_TIMEOUT_MS} ms`);
    assert.equal((JSON.parse(settled) as Status).status, 'Success');
    conn.destroy();
  });

  await t.test('attach streams what the container writes, stdout and stderr apart', async () => {
    const { url } = await client.runtime<{ url: string }>('Attach', { container_id: ticker, stdout: true, stderr: true });
    const conn = (await upgrade(url, [V4])).connection;
    assert.ok(conn);
    await conn.openStream(headers({ streamtype: 'error' }));
    const stdout = await conn.openStream(headers({ streamtype: 'stdout' }));
    const stderr = await conn.openStream(headers({ streamtype: 'stderr' }));
    const [out, err] = await Promise.all([waitForOutput(stdout, /tick \d+\n/, OUTPUT_TIMEOUT_MS), waitForOutput(stderr, /tock \d+\n/, OUTPUT_TIMEOUT_MS)]);
    assert.doesNotMatch(out, /tock/);
    assert.doesNotMatch(err, /tick/);
    conn.destroy();
  });

  await t.test('port-forward reaches 127.0.0.1 inside the pod; a closed port is an error on the error stream', async () => {
    const { url } = await client.runtime<{ url: string }>('PortForward', { pod_sandbox_id: podId, port: [8080] });
    const up = await upgrade(url, ['portforward.k8s.io']);
    assert.equal(up.status, 101, up.headers);
    const conn = up.connection;
    assert.ok(conn);
    const error = await conn.openStream(headers({ streamtype: 'error', port: '8080', requestid: '0' }));
    error.end();
    const data = await conn.openStream(headers({ streamtype: 'data', port: '8080', requestid: '0' }));
    const response = collect(data);
    data.end('GET /index.html HTTP/1.0\r\n\r\n');
    assert.match(await response, /^HTTP\/1\.[01] 200[^]*\r\n\r\npong\n$/);
    assert.equal(await collect(error), '');

    const error2 = await conn.openStream(headers({ streamtype: 'error', port: '9', requestid: '1' }));
    error2.end();
    const data2 = await conn.openStream(headers({ streamtype: 'data', port: '9', requestid: '1' }));
    data2.end();
    assert.match(await collect(error2), /error forwarding port 9/);
    conn.destroy();
  });

  await t.test('unknown tokens, wrong protocols and plain requests are refused', async () => {
    const { url } = await client.runtime<{ url: string }>('Exec', { container_id: web, cmd: ['true'], stdout: true });
    assert.equal((await upgrade(url.replace(/\/exec\/.*/, '/exec/nosuchtoken'), [V4])).status, 404);
    assert.equal((await upgrade(url.replace('/exec/', '/attach/'), [V4])).status, 404);
    const refused = await upgrade(url, ['v1.unknown.k8s.io']);
    assert.equal(refused.status, 403, refused.headers);
    const plain = await fetch(url);
    assert.equal(plain.status, 400);
  });

  await client.runtime('StopPodSandbox', { pod_sandbox_id: podId }).catch((err: unknown) => {
    throw new Error(`${String(err)}\ndaemon output:\n${cri.daemon.output()}`);
  });
  await client.runtime('RemovePodSandbox', { pod_sandbox_id: podId });
  client.close();
  await cri.daemon.stop();
  await assertNoLeaks(roots.config);
});
