import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { expectedStreamTypes, negotiateProtocol, statusJson } from './remotecommand.js';
import { StreamingServer, TOKEN_TTL_MS } from './server.js';

test('protocol negotiation takes the first offered protocol the server speaks', () => {
  assert.equal(negotiateProtocol(['v5.channel.k8s.io', 'v4.channel.k8s.io'], ['v4.channel.k8s.io']), 'v4.channel.k8s.io');
  assert.equal(negotiateProtocol('v4.channel.k8s.io, v3.channel.k8s.io', ['v3.channel.k8s.io', 'v4.channel.k8s.io']), 'v4.channel.k8s.io');
  assert.equal(negotiateProtocol(undefined, ['v4.channel.k8s.io']), undefined);
});

test('the streams a request waits for follow the kubelet: no stderr with a TTY, resize only with one', () => {
  assert.deepEqual(expectedStreamTypes({ stdin: true, stdout: true, stderr: true, tty: false }), ['error', 'stdin', 'stdout', 'stderr']);
  assert.deepEqual(expectedStreamTypes({ stdin: true, stdout: true, stderr: true, tty: true }), ['error', 'stdin', 'stdout', 'resize']);
  assert.deepEqual(expectedStreamTypes({ stdin: false, stdout: true, stderr: false, tty: false }), ['error', 'stdout']);
});

test('status objects: Success, NonZeroExitCode with an ExitCode cause, InternalError', () => {
  assert.deepEqual(JSON.parse(statusJson(0)), { metadata: {}, status: 'Success' });
  const failed = JSON.parse(statusJson(42)) as { reason: string; details: { causes: unknown[] } };
  assert.equal(failed.reason, 'NonZeroExitCode');
  assert.deepEqual(failed.details.causes, [{ reason: 'ExitCode', message: '42' }]);
  assert.equal((JSON.parse(statusJson(undefined, 'boom')) as { reason: string }).reason, 'InternalError');
});

async function upgradeStatus(url: string): Promise<number> {
  const u = new URL(url);
  const socket = connect(Number(u.port), u.hostname);
  socket.write(`POST ${u.pathname} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n`);
  const head = await new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
  socket.destroy();
  return Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0);
}

test('tokens are single-use and expire after a minute', async (t) => {
  let now = 1_000_000;
  const served: string[] = [];
  const server = await StreamingServer.start(
    '127.0.0.1:0',
    (request, connection) => {
      served.push(request.kind);
      connection.destroy();
      return Promise.resolve();
    },
    () => undefined,
    () => now,
  );
  t.after(() => server.close());
  const request = { kind: 'exec', containerId: 'c', cmd: ['true'], stdin: false, stdout: true, stderr: false, tty: false } as const;
  const once = server.url(request);
  assert.match(once, /^http:\/\/127\.0\.0\.1:\d+\/exec\/[A-Za-z0-9_-]{16}$/);
  assert.equal(await upgradeStatus(once), 101);
  assert.equal(await upgradeStatus(once), 404);
  const late = server.url(request);
  now += TOKEN_TTL_MS;
  assert.equal(await upgradeStatus(late), 404);
  assert.deepEqual(served, ['exec']);
  await assert.rejects(
    StreamingServer.start(
      'nonsense',
      () => Promise.resolve(),
      () => undefined,
    ),
    /expected host:port/,
  );
});
