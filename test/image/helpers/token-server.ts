// A bearer token server for distribution's `auth: token:` (registry/auth/token/token.go): RS256 JWTs whose
// header carries the signing certificate in x5c (verified against the registry's rootcertbundle), with the
// claims iss, sub, aud (= service), exp, nbf, iat, jti and access[{type, name, actions}] from the scope.
import { X509Certificate, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { run } from '../../../src/host/exec.js';

export const TOKEN_SERVICE = 'peapod-test-registry';
export const TOKEN_ISSUER = 'peapod-test-issuer';

export interface TokenRequest {
  readonly scope: string | null;
  readonly service: string | null;
  readonly account: string | null;
  readonly user: string | undefined;
}

export interface TokenServer {
  readonly realm: string;
  readonly certPath: string;
  readonly requests: TokenRequest[];
  close(): Promise<void>;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

export async function makeSigningCert(dir: string): Promise<{ keyPath: string; certPath: string }> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=peapod-test-token']);
  return { keyPath, certPath };
}

function accessFor(scope: string | null): { type: string; name: string; actions: string[] }[] {
  if (!scope) return [];
  return scope.split(' ').flatMap((s) => {
    const [type, ...rest] = s.split(':');
    const actions = rest.pop() ?? '';
    return type ? [{ type, name: rest.join(':'), actions: actions.split(',').filter((a) => a !== '') }] : [];
  });
}

export interface TokenServerOptions {
  readonly dir: string;
  /** Credentials the server accepts; anonymous requests get a token with no access. */
  readonly user: string;
  readonly password: string;
  /** Which response field carries the token. */
  readonly field?: 'token' | 'access_token';
}

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const { keyPath, certPath } = await makeSigningCert(options.dir);
  const key = createPrivateKey(await readFile(keyPath));
  const certDer = new X509Certificate(await readFile(certPath)).raw;
  const requests: TokenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const auth = req.headers.authorization ?? '';
    const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : undefined;
    const user = decoded?.slice(0, decoded.indexOf(':'));
    const request: TokenRequest = {
      scope: url.searchParams.get('scope'),
      service: url.searchParams.get('service'),
      account: url.searchParams.get('account'),
      user,
    };
    requests.push(request);
    if (decoded !== undefined && decoded !== `${options.user}:${options.password}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
    const claims = {
      iss: TOKEN_ISSUER,
      sub: user ?? '',
      aud: request.service ?? TOKEN_SERVICE,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access: decoded === undefined ? [] : accessFor(request.scope),
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const token = `${signingInput}.${b64url(sign('sha256', Buffer.from(signingInput), key))}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ [options.field ?? 'token']: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    certPath,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
