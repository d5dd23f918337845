import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiRouter, listenUnix, DaemonAlreadyRunning } from './server.js';
import { ApiClient } from './client.js';
import { PeapodError } from '../common/errors.js';

test('routes, typed errors, NDJSON streams and a 0600 socket', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'api-'));
  const socket = join(dir, 'api.sock');
  const router = new ApiRouter();
  router.json('GET', '/v1/things/:name', ({ params }) => Promise.resolve({ name: params['name'] }));
  router.json('POST', '/v1/echo', ({ body }) => Promise.resolve(body));
  router.json('GET', '/v1/missing', () => Promise.reject(new PeapodError('NotFound', 'thing "x" not found', { hint: 'create it' })));
  router.stream('GET', '/v1/count', (_ctx, emit) => {
    for (let i = 0; i < 3; i++) emit(i);
    return Promise.resolve('done');
  });
  const server = await listenUnix(router, socket, () => undefined);
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });
  assert.equal((await stat(socket)).mode & 0o777, 0o600);
  const client = new ApiClient(socket);
  assert.deepEqual(await client.call('GET', '/v1/things/a%20b'), { name: 'a b' });
  assert.deepEqual(await client.call('POST', '/v1/echo', { body: { x: [1] } }), { x: [1] });
  const err = await client.call('GET', '/v1/missing').catch((e: unknown) => e);
  assert.ok(err instanceof PeapodError);
  assert.equal(err.code, 'NotFound');
  assert.equal(err.hint, 'create it');
  await assert.rejects(client.call('GET', '/v1/nope'), /no route/);
  const events: number[] = [];
  assert.equal(await client.stream<number, string>('GET', '/v1/count', (e) => events.push(e)), 'done');
  assert.deepEqual(events, [0, 1, 2]);
  await assert.rejects(
    listenUnix(router, socket, () => undefined),
    DaemonAlreadyRunning,
  );
});
