import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges, parseTokenResponse } from './auth.js';

test('parses bearer and basic challenges', () => {
  assert.deepEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'), [
    { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
  ]);
  assert.deepEqual(parseChallenges('Basic realm="Registry Realm"'), [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
  assert.deepEqual(parseChallenges('Basic realm="a", Bearer realm="b\\"c",error=invalid_token'), [
    { scheme: 'basic', params: { realm: 'a' } },
    { scheme: 'bearer', params: { realm: 'b"c', error: 'invalid_token' } },
  ]);
  assert.deepEqual(parseChallenges(''), []);
});

test('token responses: token or access_token, default expiry', () => {
  const now = Date.now();
  const a = parseTokenResponse(Buffer.from(JSON.stringify({ token: 't1', expires_in: 300 })), 's');
  assert.equal(a.token, 't1');
  assert.ok(a.expiresAt > now + 290_000 && a.expiresAt <= now + 300_000);
  const b = parseTokenResponse(Buffer.from(JSON.stringify({ access_token: 't2' })), 's');
  assert.equal(b.token, 't2');
  assert.ok(b.expiresAt > now + 50_000 && b.expiresAt <= now + 60_000, 'the token spec default of 60 s');
  assert.throws(() => parseTokenResponse(Buffer.from('{}'), 's'), /without a token/);
});
