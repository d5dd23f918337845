// Who may see the dashboard: whoever holds the one-time token `peapod dashboard` printed (only root can
// ask the daemon for one, over its 0600 socket). The token is traded once for an HttpOnly,
// SameSite=Strict session cookie; every request is also checked for the Host it was sent to (so a
// DNS-rebinding page cannot talk to us under its own name) and, for anything that acts or upgrades,
// for an Origin that is ours (so another site's page cannot drive a terminal with our cookie).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A printed token not used within this long is void: it may sit in a terminal's scrollback. */
const TOKEN_TTL_MS = 10 * 60_000;
const SESSION_TTL_MS = 12 * 60 * 60_000;
const MAX_SESSIONS = 64;

export class DashboardAuth {
  private readonly tokens = new Map<string, number>();
  private readonly sessions = new Map<string, number>();

  constructor(
    private readonly port: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Cookies are per host, not per port: two daemons' dashboards on 127.0.0.1 must not share one. */
  get cookieName(): string {
    return `peapod_session_${this.port()}`;
  }

  issueToken(): string {
    this.expire();
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, this.now() + TOKEN_TTL_MS);
    return token;
  }

  /** Trades a token for a new session id; the token is spent whatever the outcome. */
  redeem(token: string): string | undefined {
    this.expire();
    const until = this.tokens.get(token);
    this.tokens.delete(token);
    if (until === undefined) return undefined;
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const session = randomBytes(32).toString('base64url');
    this.sessions.set(session, this.now() + SESSION_TTL_MS);
    return session;
  }

  sessionCookie(session: string): string {
    return `${this.cookieName}=${session}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}`;
  }

  hasSession(req: IncomingMessage): boolean {
    this.expire();
    const value = readCookie(req.headers.cookie, this.cookieName);
    if (value === undefined) return false;
    for (const session of this.sessions.keys()) {
      if (sameString(session, value)) return true;
    }
    return false;
  }

  /** The Host header names us: 127.0.0.1 or localhost on our port, nothing else. */
  hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host;
    return host !== undefined && this.ownOrigins().some((o) => o === `http://${host}`);
  }

  /** Requests that act (POST) or upgrade (WebSocket) must come from our own page. */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    return origin !== undefined && this.ownOrigins().includes(origin);
  }

  /**
   * Browsers say where a request comes from (Sec-Fetch-Site): only our own page or the user typing the
   * URL may reach us. "same-site" is refused too: any other port of 127.0.0.1 is the same site.
   */
  fetchSiteAllowed(req: IncomingMessage): boolean {
    const site = req.headers['sec-fetch-site'];
    return site === undefined || site === 'same-origin' || site === 'none';
  }

  private ownOrigins(): string[] {
    const port = this.port();
    return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  }

  private expire(): void {
    const now = this.now();
    for (const [key, until] of this.tokens) if (until <= now) this.tokens.delete(key);
    for (const [key, until] of this.sessions) if (until <= now) this.sessions.delete(key);
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
