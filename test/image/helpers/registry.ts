// A real distribution v2 registry (Debian's docker-registry) on 127.0.0.1:<free port>, with filesystem
// storage in a temp dir, for one test. Several may share one storage dir (one open for pushing, one with
// auth for pulling): the filesystem driver is safe for concurrent readers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const REGISTRY_BIN = '/usr/bin/docker-registry';
const START_TIMEOUT_MS = 15_000;

export interface RegistryAuth {
  readonly htpasswd?: { readonly path: string };
  readonly token?: { readonly realm: string; readonly service: string; readonly issuer: string; readonly rootCertBundle: string };
}

export interface Registry {
  readonly host: string;
  readonly port: number;
  readonly storage: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function authYaml(auth: RegistryAuth | undefined): string {
  if (auth?.htpasswd) return `auth:\n  htpasswd:\n    realm: peapod-test\n    path: ${auth.htpasswd.path}\n`;
  if (auth?.token) {
    const t = auth.token;
    return `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.rootCertBundle}\n`;
  }
  return '';
}

async function waitUntilServing(host: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`docker-registry did not answer on ${host} within ${START_TIMEOUT_MS} ms: ${log()}`);
}

/** Starts a registry; `storage` reuses another registry's storage directory. */
export async function startRegistry(options: { auth?: RegistryAuth; storage?: string } = {}): Promise<Registry> {
  const dir = await mkdtemp(join(tmpdir(), 'peapod-registry-'));
  const storage = options.storage ?? join(dir, 'storage');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = [
    'version: 0.1',
    'log:\n  level: error\n  accesslog:\n    disabled: true',
    `storage:\n  filesystem:\n    rootdirectory: ${storage}\n  delete:\n    enabled: true`,
    `http:\n  addr: ${host}\n  secret: ${randomBytes(16).toString('hex')}`,
    authYaml(options.auth),
  ].join('\n');
  await writeFile(join(dir, 'config.yml'), `${config}\n`);
  const child = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(host, child, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { host, port, storage, stop };
}
