// Plain HTTP requests to the dashboard with headers a browser would not let a page choose (Host,
// Origin), to check what the server refuses.
import { request } from 'node:http';

export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

export function get(origin: string, path: string, opts: { cookie?: string; host?: string; origin?: string; method?: string } = {}): Promise<Reply> {
  const url = new URL(path, origin);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: opts.method ?? 'GET',
      headers: {
        ...(opts.cookie ? { cookie: opts.cookie } : {}),
        ...(opts.host ? { host: opts.host } : {}),
        ...(opts.origin ? { origin: opts.origin } : {}),
      },
      timeout: 5_000,
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      // An event stream never ends: its status is enough.
      if ((res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: flat(res.headers), body });
        return;
      }
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: flat(res.headers), body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

function flat(headers: NodeJS.Dict<string | string[]>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join('\n') : v]));
}

/** Logs in with a token: the session cookie (name=value) and the Set-Cookie header it came in. */
export async function cookieFor(url: URL): Promise<{ value: string; header: string }> {
  const reply = await get(url.origin, `${url.pathname}${url.search}`);
  if (reply.status !== 303) throw new Error(`login: status ${reply.status}: ${reply.body}`);
  const header = reply.headers['set-cookie'] ?? '';
  return { value: header.split(';')[0] ?? '', header };
}

/** The status line a WebSocket upgrade gets (101 when accepted). */
export function upgradeStatus(origin: string, path: string, opts: { cookie?: string; origin?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, origin), {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...(opts.cookie ? { cookie: opts.cookie } : {}),
        ...(opts.origin ? { origin: opts.origin } : {}),
      },
      timeout: 5_000,
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: upgrade timed out`)));
    req.on('error', reject);
    req.end();
  });
}
