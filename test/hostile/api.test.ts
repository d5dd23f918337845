// The local API as a trust boundary (issue 6): only root gets in; raw HTTP garbage on the socket gets a
// 4xx with a clear message and the daemon stays up; names and IDs from URLs and the CLI never become
// paths, inside peapod's roots or outside them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiClient } from '../../src/api/client.js';
import { runUnchecked } from '../../src/host/exec.js';
import { makeTestRoots, type TestRoots } from '../helpers/roots.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { PEAPOD_BIN } from '../helpers/cli.js';
import { assertNoLeaks, runCli } from '../helpers/leaks.js';

const NEEDS_ROOT = process.getuid?.() === 0 ? false : 'needs root (runs a real daemon)';
/** How long one raw exchange may take; the server answers garbage at once. */
const RAW_TIMEOUT_MS = 15_000;
const CLI_TIMEOUT_MS = 30_000;
/** src/api/server.ts MAX_BODY_BYTES. */
const SERVER_BODY_LIMIT = 16 * 1024 * 1024;
const NOBODY = 65534;

interface RawAnswer {
  readonly status: number;
  readonly head: string;
  readonly body: string;
}

/**
 * Writes `request` as is on the unix socket and reads the answer until the server closes the connection
 * (requests say `Connection: close`) or the deadline; a reset after the answer is fine.
 */
function rawExchange(socket: string, request: string | Buffer | readonly Buffer[], timeoutMs = RAW_TIMEOUT_MS): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const conn = connect(socket);
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (!m) {
        reject(new Error(`no HTTP answer (${text.length} bytes: ${JSON.stringify(text.slice(0, 200))})`));
        return;
      }
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: Number(m[1]), head: text.slice(0, split), body: split < 0 ? '' : text.slice(split + 4) });
    };
    const timer = setTimeout(finish, timeoutMs);
    conn.on('data', (d: Buffer) => chunks.push(d));
    conn.on('end', finish);
    conn.on('close', finish);
    conn.on('error', () => finish());
    conn.on('connect', () => {
      const parts = Array.isArray(request)
        ? (request as readonly Buffer[])
        : [typeof request === 'string' ? Buffer.from(request, 'latin1') : (request as Buffer)];
      for (const part of parts) if (!conn.destroyed) conn.write(part, () => undefined);
    });
  });
}

/** POSTs `chunks` with node:http (Content-Length, or chunked), reading the answer even if the server stops reading. */
function postBody(socket: string, path: string, chunks: readonly Buffer[], chunked: boolean): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const length = chunks.reduce((n, c) => n + c.length, 0);
    const req = request(
      {
        socketPath: socket,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': length }) },
        signal: AbortSignal.timeout(RAW_TIMEOUT_MS),
      },
      (res) => {
        const body: Buffer[] = [];
        res.on('data', (d: Buffer) => body.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, head: JSON.stringify(res.headers), body: Buffer.concat(body).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const writeNext = (i: number): void => {
      const chunk = chunks[i];
      if (chunk === undefined || req.destroyed) {
        req.end();
        return;
      }
      req.write(chunk, () => writeNext(i + 1));
    };
    writeNext(0);
  });
}

function httpRequest(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Buffer {
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: peapod', 'Connection: close'];
  const all: Record<string, string> = {
    ...(body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) }),
    ...headers,
  };
  for (const [k, v] of Object.entries(all)) lines.push(`${k}: ${v}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

/** The daemon's JSON error message, or the raw body when it is not one. */
function errorText(answer: RawAnswer): string {
  try {
    const parsed = JSON.parse(answer.body) as { error?: { message?: string } };
    return parsed.error?.message ?? answer.body;
  } catch {
    return answer.body;
  }
}

async function assertUp(daemon: TestDaemon, api: ApiClient, after: string): Promise<void> {
  assert.equal(daemon.child.exitCode, null, `the daemon exited after ${after}:\n${daemon.output().slice(-4000)}`);
  assert.equal(daemon.child.signalCode, null, `the daemon was killed after ${after}`);
  const version = await api.call<{ pid: number }>('GET', '/v1/version', { signal: AbortSignal.timeout(RAW_TIMEOUT_MS) });
  assert.equal(version.pid, daemon.child.pid, `another process answers after ${after}`);
}

async function withDaemon(t: {
  after: (fn: () => Promise<void>) => void;
}): Promise<{ roots: TestRoots; daemon: TestDaemon; api: ApiClient; env: NodeJS.ProcessEnv }> {
  const roots = await makeTestRoots();
  const daemon = await startDaemon(roots);
  t.after(async () => {
    await daemon.kill().catch(() => undefined);
    await roots.cleanup();
  });
  return { roots, daemon, api: new ApiClient(roots.config.socket), env: roots.env() };
}

test(
  'the API socket is root-only: a non-root CLI gets a clear permission error, and the daemon stays up',
  { skip: NEEDS_ROOT, timeout: 120_000 },
  async (t) => {
    const { roots, daemon, api, env } = await withDaemon(t);
    const info = await stat(roots.config.socket);
    assert.equal(info.mode & 0o777, 0o600, 'socket mode');
    assert.equal(info.uid, 0, 'socket owner');
    const asNobody = async (args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      const r = await runUnchecked('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', process.execPath, PEAPOD_BIN, ...args], {
        env: { ...env, HOME: '/' },
        timeoutMs: CLI_TIMEOUT_MS,
        cwd: '/',
      });
      return { code: r.signal === null ? r.code : 128, stdout: r.stdout, stderr: r.stderr };
    };
    for (const args of [['get', 'pods'], ['get', 'pods', '-A', '-o', 'json'], ['delete', 'pod', 'x'], ['logs', 'x'], ['images'], ['info']]) {
      const r = await asNobody(args);
      const what = `peapod ${args.join(' ')} as uid ${NOBODY}`;
      assert.notEqual(r.code, 0, `${what} succeeded: ${r.stdout}`);
      assert.equal(r.stdout, '', what);
      assert.match(r.stderr, /permission denied/i, `${what}: ${r.stderr}`);
      assert.match(r.stderr, /root/, `${what}: ${r.stderr}`);
      // A message, not a crash: no stack trace, no Node internals.
      assert.doesNotMatch(r.stderr, /^\s+at |node:internal|TypeError|EACCES/m, `${what}: ${r.stderr}`);
      await assertUp(daemon, api, what);
    }
    // And it started no daemon of its own: still exactly ours on the socket, as root sees it.
    const listed = await runCli(env, ['get', 'pods']);
    assert.equal(listed.code, 0, listed.stderr);
    await daemon.stop();
    await assertNoLeaks(roots.config);
  },
);

test('raw HTTP garbage on the socket gets 4xx answers with clear messages, and the daemon stays up', { skip: NEEDS_ROOT, timeout: 300_000 }, async (t) => {
  const { roots, daemon, api } = await withDaemon(t);
  const socket = roots.config.socket;
  const before = await readdir(roots.config.root, { recursive: true });
  const apply = '/v1/apply/manifests';
  const deep = 100_000;
  const cases: { name: string; request: string | Buffer | readonly Buffer[]; status: number | readonly number[]; message?: RegExp }[] = [
    // Bodies.
    { name: 'invalid JSON', request: httpRequest('POST', apply, '{"source": "x", "sources": ['), status: 400, message: /request body is not valid JSON/ },
    {
      name: 'YAML where JSON is expected',
      request: httpRequest('POST', apply, 'apiVersion: v1\nkind: Pod\n', { 'Content-Type': 'application/yaml' }),
      status: 400,
      message: /not valid JSON/,
    },
    { name: 'binary body', request: httpRequest('POST', apply, Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80])), status: 400, message: /not valid JSON/ },
    { name: 'JSON nested 100 000 deep', request: httpRequest('POST', apply, `${'['.repeat(deep)}${']'.repeat(deep)}`), status: 400, message: /body: expected/ },
    { name: 'JSON nested 100 000 deep in an object', request: httpRequest('POST', apply, `${'{"a":'.repeat(deep)}1${'}'.repeat(deep)}`), status: 400 },
    { name: 'a JSON string', request: httpRequest('POST', apply, '"hello"'), status: 400, message: /body: expected \{"source"/ },
    { name: 'a JSON array', request: httpRequest('POST', apply, '[1, 2]'), status: 400, message: /body: expected/ },
    { name: 'null', request: httpRequest('POST', apply, 'null'), status: 400, message: /body: expected/ },
    { name: 'no body', request: httpRequest('POST', apply), status: 400, message: /body: expected/ },
    { name: 'sources not a list', request: httpRequest('POST', apply, '{"source": "x", "sources": 5}'), status: 400, message: /body: expected/ },
    {
      name: 'sources of the wrong shape',
      request: httpRequest('POST', apply, '{"source": "x", "sources": [{"file": 1, "text": {}}]}'),
      status: 400,
      message: /body: expected/,
    },
    {
      name: 'prototype keys',
      request: httpRequest('POST', apply, '{"__proto__": {"source": "x"}, "constructor": {"prototype": {"x": 1}}}'),
      status: 400,
      message: /body: expected/,
    },
    {
      name: 'objects that are not objects',
      request: httpRequest('POST', '/v1/apply', '{"objects": [null, 5, "x", []]}'),
      status: 400,
      message: /expected an object with apiVersion and kind/,
    },
    { name: 'objects not a list', request: httpRequest('POST', '/v1/apply', '{"objects": {"0": {}}}'), status: 400, message: /body: expected \{"objects"/ },
    {
      name: 'an object with a bad quantity',
      request: httpRequest(
        'POST',
        '/v1/apply',
        JSON.stringify({
          objects: [
            {
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { name: 'a' },
              spec: { containers: [{ name: 'a', image: 'b', resources: { limits: { memory: '99999999999999999999Ei' } } }] },
            },
          ],
        }),
      ),
      status: 400,
      message: /spec\.containers\[0\]\.resources\.limits\.memory: Invalid value: "99999999999999999999Ei"/,
    },
    {
      name: 'an object with runAsUser 2^31',
      request: httpRequest(
        'POST',
        '/v1/apply',
        JSON.stringify({
          objects: [
            {
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { name: 'a' },
              spec: { securityContext: { runAsUser: 2 ** 31 }, containers: [{ name: 'a', image: 'b' }] },
            },
          ],
        }),
      ),
      status: 400,
      message: /spec\.securityContext\.runAsUser: Invalid value: 2147483648/,
    },
    // Announced but never sent: refused at once, not waited for.
    {
      name: 'a body declared larger than the limit',
      request: httpRequest('POST', apply, undefined, { 'Content-Type': 'application/json', 'Content-Length': String(SERVER_BODY_LIMIT + 1) }),
      status: [400, 413],
      message: /larger than/,
    },
    { name: 'stream route with a bad body', request: httpRequest('POST', '/v1/images/pull', '{"ref": 5}'), status: 400, message: /ref is required/ },
    { name: 'load of nothing', request: httpRequest('POST', '/v1/images/load', '[]'), status: 400, message: /request body must be a JSON object/ },
    {
      name: 'debug with a command that is not a list',
      request: httpRequest('POST', '/v1/namespaces/default/pods/nopod/debug', '{"image": "busybox", "command": "sh"}'),
      status: 400,
      message: /command: expected an array/,
    },
    {
      name: 'exec without a command',
      request: httpRequest('POST', '/v1/namespaces/default/pods/nopod/exec', '{"command": "ls"}'),
      status: 400,
      message: /at least one command/,
    },
    {
      name: 'delete with a bad grace period',
      request: httpRequest('DELETE', '/v1/namespaces/default/pods/nopod?gracePeriod=-1e400'),
      status: 400,
      message: /--grace-period/,
    },
    // Routes.
    { name: 'unknown route', request: httpRequest('GET', '/v1/nope'), status: 404, message: /no route GET \/v1\/nope/ },
    { name: 'root path', request: httpRequest('GET', '/'), status: 404, message: /no route/ },
    { name: 'wrong method', request: httpRequest('PUT', '/v1/pods'), status: 404, message: /no route PUT/ },
    { name: 'unknown method', request: Buffer.from('FROB /v1/pods HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), status: 400 },
    { name: 'absolute-form target', request: httpRequest('GET', 'http://evil.example/v1/nope'), status: 404, message: /no route/ },
    { name: 'dot segments', request: httpRequest('GET', '/v1/namespaces/default/pods/../../../../etc/passwd'), status: 404, message: /no route/ },
    // Names in URLs: DNS names, never paths.
    {
      name: 'name ..%2F..%2Fetc',
      request: httpRequest('GET', '/v1/namespaces/default/pods/..%2F..%2Fetc'),
      status: 400,
      message: /^name: Invalid value: "\.\.\/\.\.\/etc"/,
    },
    { name: 'name ..', request: httpRequest('GET', '/v1/namespaces/default/pods/..'), status: 400, message: /^name: Invalid value: "\.\."/ },
    { name: 'name .', request: httpRequest('DELETE', '/v1/namespaces/default/pods/.'), status: 400, message: /^name: Invalid value: "\."/ },
    { name: 'name %2e%2e', request: httpRequest('GET', '/v1/namespaces/default/pods/%2e%2e'), status: 400, message: /^name: Invalid value: "\.\."/ },
    { name: 'name with %00', request: httpRequest('GET', '/v1/namespaces/default/pods/a%00b'), status: 400, message: /^name: Invalid value: "a\\u0000b"/ },
    {
      name: 'name with bad percent-encoding',
      request: httpRequest('GET', '/v1/namespaces/default/pods/%E0%A4%A'),
      status: 400,
      message: /^name: "%E0%A4%A" is not valid percent-encoding/,
    },
    { name: 'name uppercase', request: httpRequest('DELETE', '/v1/namespaces/default/pods/ETC'), status: 400, message: /^name: Invalid value: "ETC"/ },
    {
      name: 'name of 300 characters',
      request: httpRequest('GET', `/v1/namespaces/default/pods/${'a'.repeat(300)}/describe`),
      status: 400,
      message: /^name: Invalid value/,
    },
    {
      name: 'namespace ..%2F..',
      request: httpRequest('GET', '/v1/namespaces/..%2F..%2Fetc/pods/x'),
      status: 400,
      message: /^namespace: Invalid value: "\.\.\/\.\.\/etc"/,
    },
    { name: 'namespace with dots', request: httpRequest('DELETE', '/v1/namespaces/a.b/pods/x'), status: 400, message: /^namespace: Invalid value: "a\.b"/ },
    { name: 'log of ..%2Fx', request: httpRequest('GET', '/v1/namespaces/default/pods/..%2Fx/log'), status: 400, message: /^name: Invalid value/ },
    {
      name: 'exec in %2e%2e',
      request: httpRequest('POST', '/v1/namespaces/default/pods/%2e%2e/exec', '{"command": ["ls"]}'),
      status: 400,
      message: /^name: Invalid value/,
    },
    {
      name: 'debug of ..%2F..',
      request: httpRequest('POST', '/v1/namespaces/default/pods/..%2F../debug', '{"image": "busybox"}'),
      status: 400,
      message: /^name: Invalid value/,
    },
    {
      name: 'configmap ..%2F..%2Fetc%2Fpasswd',
      request: httpRequest('DELETE', '/v1/namespaces/default/configmaps/..%2F..%2Fetc%2Fpasswd'),
      status: 400,
      message: /^name: Invalid value/,
    },
    { name: 'secret ..', request: httpRequest('DELETE', '/v1/namespaces/default/secrets/%2E%2E'), status: 400, message: /^name: Invalid value: "\.\."/ },
    {
      name: 'secret in namespace ..',
      request: httpRequest('DELETE', '/v1/namespaces/%2E%2E/secrets/x'),
      status: 400,
      message: /^namespace: Invalid value: "\.\."/,
    },
    {
      name: 'image ref that is a path',
      request: httpRequest('GET', `/v1/images/inspect?ref=${encodeURIComponent('../../../etc/passwd')}`),
      status: [400, 404],
    },
    { name: 'image removal of a path', request: httpRequest('DELETE', `/v1/images?ref=${encodeURIComponent('../../etc')}`), status: [400, 404] },
    // Not HTTP at all.
    { name: 'binary garbage', request: Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 13, 10, 13, 10]), status: 400 },
    {
      name: 'headers larger than the parser allows',
      request: Buffer.from(`GET /v1/pods HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\nConnection: close\r\n\r\n`),
      status: 431,
    },
    { name: 'a bad Content-Length', request: Buffer.from(`POST ${apply} HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\nConnection: close\r\n\r\n`), status: 400 },
    {
      name: 'both Content-Length and chunked',
      request: Buffer.from(`POST ${apply} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`),
      status: 400,
    },
    { name: 'a NUL in the target', request: Buffer.from('GET /v1/namespaces/default/pods/a\0b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), status: 400 },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const answer = await rawExchange(socket, c.request);
      const allowed = typeof c.status === 'number' ? [c.status] : c.status;
      assert.ok(allowed.includes(answer.status), `${c.name}: HTTP ${answer.status} (expected ${allowed.join(' or ')}): ${answer.body.slice(0, 500)}`);
      if (c.message) {
        assert.match(answer.head, /content-type: application\/json/i, c.name);
        assert.match(errorText(answer), c.message, c.name);
      }
      await assertUp(daemon, api, c.name);
    });
  }

  // Bodies over the limit, sent in full as an HTTP client does (a raw writer may see EPIPE before the answer).
  for (const chunked of [false, true]) {
    await t.test(`a ${chunked ? 'chunked ' : ''}body larger than the limit`, async () => {
      const answer = await postBody(
        socket,
        apply,
        Array.from({ length: 18 }, () => Buffer.alloc(1024 * 1024, 0x20)),
        chunked,
      );
      assert.ok([400, 413].includes(answer.status), `HTTP ${answer.status}: ${answer.body.slice(0, 500)}`);
      assert.match(errorText(answer), /request body larger than 16777216 bytes/);
      await assertUp(daemon, api, 'a body over the limit');
    });
  }
  await t.test('a manifest over the limit through the client', async () => {
    const err = await api
      .call('POST', apply, {
        body: { source: 'big', sources: [{ file: 'big.yaml', text: ' '.repeat(SERVER_BODY_LIMIT) }] },
        signal: AbortSignal.timeout(RAW_TIMEOUT_MS),
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof Error && /request body larger than/.test(err.message), String(err));
    await assertUp(daemon, api, 'a manifest over the limit');
  });

  await t.test('a client that hangs up mid-body, and one that never finishes its headers', async () => {
    const conn = connect(socket);
    await new Promise<void>((resolve, reject) => {
      conn.on('connect', resolve);
      conn.on('error', reject);
    });
    conn.write(`POST ${apply} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"source": `);
    conn.destroy();
    const slow = connect(socket);
    slow.on('error', () => undefined);
    slow.write('GET /v1/pods HTTP/1.1\r\nHost: x\r\n');
    await assertUp(daemon, api, 'a client hung up mid-body');
    // A watch (a stream that has not sent a line yet) whose client goes away.
    const watcher = connect(socket);
    watcher.on('error', () => undefined);
    watcher.write('GET /v1/pods/watch?all=true HTTP/1.1\r\nHost: x\r\n\r\n');
    await assertUp(daemon, api, 'a watch started');
    watcher.destroy();
    await assertUp(daemon, api, 'a watch client hung up');
    slow.destroy();
    await assertUp(daemon, api, 'a slow client');
  });

  await t.test('100 bad requests at once', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => rawExchange(socket, httpRequest('GET', `/v1/namespaces/default/pods/..%2F${i}`))));
    assert.deepEqual([...new Set(answers.map((a) => a.status))], [400]);
    await assertUp(daemon, api, '100 bad requests');
  });

  assert.deepEqual(await readdir(roots.config.root, { recursive: true }), before, 'files appeared in the root');
  assert.deepEqual(await new ApiClient(socket).call('GET', '/v1/pods', { query: { all: true } }), []);
  // Nothing the clients sent was the daemon's own error: no stack trace in its log.
  assert.doesNotMatch(daemon.output(), /^\s+at .*:\d+:\d+\)?$/m, daemon.output().slice(-4000));
  await daemon.stop();
  await assertNoLeaks(roots.config);
});

test('names and IDs from the CLI never become paths: delete, logs, get, describe, exec, debug', { skip: NEEDS_ROOT, timeout: 300_000 }, async (t) => {
  const { roots, daemon, api, env } = await withDaemon(t);
  // Canaries a path escape would hit: beside the roots, and where `../../etc`-style names lead from them.
  const canary = join(roots.dir, 'canary');
  await writeFile(canary, 'still here\n');
  const before = await readdir(roots.dir, { recursive: true });
  const invalid = /Invalid value/;
  const cases: { args: string[]; stderr: RegExp }[] = [
    { args: ['delete', 'pod', '../../etc'], stderr: /name: Invalid value: "\.\.\/\.\.\/etc"/ },
    { args: ['delete', 'pod', '../canary'], stderr: /name: Invalid value: "\.\.\/canary"/ },
    { args: ['delete', 'pod', '..'], stderr: /name: Invalid value: "\.\."/ },
    { args: ['delete', 'pod', 'x', '-n', '../..'], stderr: /namespace: Invalid value: "\.\.\/\.\."/ },
    { args: ['delete', 'pod', `a${'\u0001'}b`], stderr: invalid },
    { args: ['logs', '../x'], stderr: /name: Invalid value: "\.\.\/x"/ },
    { args: ['logs', '../../../../etc/shadow', '-c', '../../passwd'], stderr: invalid },
    { args: ['logs', '-n', '..', 'x'], stderr: /namespace: Invalid value: "\.\."/ },
    { args: ['get', 'pod', '%2e%2e'], stderr: /name: Invalid value: "%2e%2e"/ },
    { args: ['get', 'pod', '..'], stderr: /name: Invalid value: "\.\."/ },
    { args: ['get', 'pod', '/etc/passwd'], stderr: invalid },
    { args: ['get', 'pod', 'x'.repeat(300)], stderr: invalid },
    { args: ['describe', 'pod', '../x'], stderr: invalid },
    { args: ['exec', '../x', '--', 'ls'], stderr: invalid },
    { args: ['debug', '../x', '--image', 'busybox'], stderr: invalid },
    { args: ['rmi', '../../etc'], stderr: /\S/ },
    { args: ['image', 'inspect', '../../../etc/passwd'], stderr: /\S/ },
  ];
  for (const c of cases) {
    await t.test(`peapod ${c.args.join(' ').slice(0, 80)}`, async () => {
      const r = await runCli(env, c.args, { timeoutMs: CLI_TIMEOUT_MS });
      assert.notEqual(r.code, 0, `succeeded: ${r.stdout}`);
      assert.match(r.stderr, c.stderr);
      assert.doesNotMatch(r.stderr, /^\s+at |Error \(Internal\)/m, r.stderr);
      await assertUp(daemon, api, c.args.join(' '));
    });
  }
  assert.equal((await stat(canary)).size, 'still here\n'.length);
  assert.deepEqual(await readdir(roots.dir, { recursive: true }), before, 'files appeared or went under the test directory');
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
