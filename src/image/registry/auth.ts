// Registry authentication as the distribution token spec describes it: try anonymously; on 401 read the
// WWW-Authenticate challenge. Basic → send the stored user:password. Bearer → GET <realm>?service=&scope=
// (with basic credentials when we have some; an identity token is exchanged by POST as OAuth2
// refresh_token), and cache the token per host and scope until it expires.
import { PeapodError } from '../../common/errors.js';
import type { Credentials } from './credentials.js';
import { fetchWithDeadline, readSmallBody, registryErrorText, RetryableError, withRetries } from './http.js';

export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Token lifetime when the server does not say (the token spec's default). */
export const DEFAULT_TOKEN_EXPIRY_S = 60;
/** Refresh a cached token this long before it expires. */
const TOKEN_EXPIRY_MARGIN_MS = 5_000;
/** docker's client_id for OAuth2 token requests; registries only log it. */
const OAUTH_CLIENT_ID = 'peapod';

const TOKEN_CHAR = /[A-Za-z0-9!#$%&'*+.^_`|~-]/;

/** Parses `Bearer realm="…",service="…",scope="…"` (RFC 7235: schemes, then auth-params quoted or bare). */
export function parseChallenges(header: string): Challenge[] {
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const readToken = (): string => {
    const start = i;
    while (i < header.length && TOKEN_CHAR.test(header[i] ?? '')) i++;
    return header.slice(start, i);
  };
  const skip = (chars: string): void => {
    while (i < header.length && chars.includes(header[i] ?? '')) i++;
  };
  for (let guard = 0; i < header.length && guard < 1024; guard++) {
    skip(' \t,');
    const token = readToken();
    if (token === '') {
      i++;
      continue;
    }
    skip(' \t');
    if (header[i] !== '=') {
      out.push({ scheme: token.toLowerCase(), params: {} });
      continue;
    }
    i++;
    skip(' \t');
    let value = '';
    if (header[i] === '"') {
      i++;
      while (i < header.length && header[i] !== '"') {
        if (header[i] === '\\') i++;
        value += header[i] ?? '';
        i++;
      }
      i++;
    } else {
      value = readToken();
    }
    const current = out[out.length - 1];
    if (current) current.params[token.toLowerCase()] = value;
  }
  return out;
}

type HostAuth = { readonly kind: 'basic' } | { readonly kind: 'bearer'; readonly realm: string; readonly service?: string };

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

export type CredentialLookup = (host: string) => Promise<Credentials | undefined>;

function basic(creds: Credentials | undefined): string | undefined {
  if (creds?.username === undefined || creds.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')}`;
}

export class Authorizer {
  private readonly hosts = new Map<string, HostAuth>();
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly lookup: CredentialLookup) {}

  /** The Authorization header to send, from what earlier challenges taught; undefined before any. */
  async header(host: string, scope: string): Promise<string | undefined> {
    const known = this.hosts.get(host);
    if (known === undefined) return undefined;
    const creds = await this.lookup(host);
    if (creds?.registryToken !== undefined) return `Bearer ${creds.registryToken}`;
    if (known.kind === 'basic') return basic(creds);
    const cached = this.tokens.get(`${host} ${scope}`);
    if (cached && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
    return undefined;
  }

  /**
   * Learns from a 401's challenge and fetches what it asks for. Returns false when there is nothing more
   * to try (no challenge we understand, or basic auth without credentials).
   */
  async answer(host: string, header: string | null, scope: string, signal?: AbortSignal): Promise<boolean> {
    const challenges = parseChallenges(header ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params['realm']);
    const creds = await this.lookup(host);
    if (bearer) {
      const realm = bearer.params['realm'] ?? '';
      const service = bearer.params['service'];
      this.hosts.set(host, service === undefined ? { kind: 'bearer', realm } : { kind: 'bearer', realm, service });
      if (creds?.registryToken !== undefined) return true;
      // The challenge's own scope wins: the registry knows what the request needs.
      const wanted = bearer.params['scope'] ?? scope;
      const token = await this.fetchToken(host, realm, service, wanted, creds, signal);
      this.tokens.set(`${host} ${scope}`, token);
      return true;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      this.hosts.set(host, { kind: 'basic' });
      return basic(creds) !== undefined;
    }
    return false;
  }

  /** Forgets a token the registry refused (expired or revoked). */
  forget(host: string, scope: string): void {
    this.tokens.delete(`${host} ${scope}`);
  }

  private async fetchToken(
    host: string,
    realm: string,
    service: string | undefined,
    scope: string,
    creds: Credentials | undefined,
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    let url: URL;
    try {
      url = new URL(realm);
    } catch (err) {
      throw new PeapodError('Unavailable', `registry ${host} sent an invalid token realm "${realm}"`, { cause: err });
    }
    return withRetries(async () => {
      const init = tokenRequest(url, service, scope, creds);
      const { res, abort } = await fetchWithDeadline(init.url, init.request, signal);
      if (!res.ok) {
        const detail = await registryErrorText(res, abort);
        if (res.status >= 500) throw new RetryableError(`token server ${url.host} answered HTTP ${res.status}`);
        const code = res.status === 401 ? 'Unauthenticated' : res.status === 403 ? 'PermissionDenied' : 'Unavailable';
        throw new PeapodError(code, `token server ${url.host} refused a token for ${host} (HTTP ${res.status}${detail ? `: ${detail}` : ''})`, {
          hint: creds ? `the stored credentials may be wrong: peapod login ${host}` : `log in first: peapod login ${host}`,
        });
      }
      return parseTokenResponse(await readSmallBody(res, abort, `token from ${url.host}`), url.host);
    }, signal);
  }
}

function tokenRequest(realm: URL, service: string | undefined, scope: string, creds: Credentials | undefined): { url: string; request: RequestInit } {
  if (creds?.identityToken !== undefined) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: OAUTH_CLIENT_ID });
    if (service !== undefined) form.set('service', service);
    if (scope !== '') form.set('scope', scope);
    return {
      url: realm.href,
      request: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() },
    };
  }
  const url = new URL(realm.href);
  if (service !== undefined) url.searchParams.set('service', service);
  if (scope !== '') url.searchParams.set('scope', scope);
  const auth = basic(creds);
  if (auth !== undefined && creds?.username !== undefined) url.searchParams.set('account', creds.username);
  return { url: url.href, request: { method: 'GET', headers: auth === undefined ? {} : { authorization: auth } } };
}

export function parseTokenResponse(body: Buffer, server: string): CachedToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8')) as unknown;
  } catch (err) {
    throw new PeapodError('Unavailable', `token server ${server} answered with something that is not JSON`, { cause: err });
  }
  const o = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  // The token spec names it "token"; OAuth2 servers use "access_token"; both may be present and equal.
  const token = typeof o['token'] === 'string' && o['token'] !== '' ? o['token'] : typeof o['access_token'] === 'string' ? o['access_token'] : '';
  if (token === '') throw new PeapodError('Unavailable', `token server ${server} answered without a token`);
  const expiresIn = typeof o['expires_in'] === 'number' && o['expires_in'] > 0 ? o['expires_in'] : DEFAULT_TOKEN_EXPIRY_S;
  return { token, expiresAt: Date.now() + expiresIn * 1000 - TOKEN_EXPIRY_MARGIN_MS };
}
