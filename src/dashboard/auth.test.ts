import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { DashboardAuth, readCookie } from './auth.js';

const req = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

test('a token logs in once, and not after it expired', () => {
  let now = 1_000_000;
  const auth = new DashboardAuth(
    () => 7780,
    () => now,
  );
  const token = auth.issueToken();
  const session = auth.redeem(token);
  assert.ok(session);
  assert.equal(auth.redeem(token), undefined, 'spent');
  assert.equal(auth.redeem('guess'), undefined);
  const late = auth.issueToken();
  now += 11 * 60_000;
  assert.equal(auth.redeem(late), undefined, 'expired');
  const cookie = auth.sessionCookie(session);
  assert.match(cookie, /^peapod_session_7780=/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
});

test('a session cookie is recognised; Host and Origin must be ours', () => {
  const auth = new DashboardAuth(() => 7780);
  const session = auth.redeem(auth.issueToken()) ?? '';
  assert.equal(auth.hasSession(req({ cookie: `other=1; peapod_session_7780=${session}` })), true);
  assert.equal(auth.hasSession(req({ cookie: `peapod_session_7780=${session}x` })), false);
  assert.equal(auth.hasSession(req({ cookie: `peapod_session_7781=${session}` })), false, 'another daemon’s cookie');
  assert.equal(auth.hostAllowed(req({ host: '127.0.0.1:7780' })), true);
  assert.equal(auth.hostAllowed(req({ host: 'localhost:7780' })), true);
  assert.equal(auth.hostAllowed(req({ host: 'evil.example:7780' })), false);
  assert.equal(auth.hostAllowed(req({ host: '127.0.0.1:80' })), false);
  assert.equal(auth.hostAllowed(req({})), false);
  assert.equal(auth.originAllowed(req({ origin: 'http://127.0.0.1:7780' })), true);
  assert.equal(auth.originAllowed(req({ origin: 'http://127.0.0.1:7781' })), false);
  assert.equal(auth.originAllowed(req({ origin: 'null' })), false);
  assert.equal(auth.originAllowed(req({})), false);
  assert.equal(auth.fetchSiteAllowed(req({ 'sec-fetch-site': 'same-origin' })), true);
  assert.equal(auth.fetchSiteAllowed(req({ 'sec-fetch-site': 'none' })), true);
  assert.equal(auth.fetchSiteAllowed(req({})), true, 'not a browser: Host, cookie and Origin still apply');
  assert.equal(auth.fetchSiteAllowed(req({ 'sec-fetch-site': 'same-site' })), false, 'another port of 127.0.0.1');
  assert.equal(auth.fetchSiteAllowed(req({ 'sec-fetch-site': 'cross-site' })), false);
  assert.equal(readCookie('a=1; b = 2', 'b'), '2');
});
