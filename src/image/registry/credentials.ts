// Registry credentials in docker's config.json format ({"auths": {"<host>": {"auth": base64(user:pass)}}}),
// the format podman's auth.json and containers-auth.json(5) share: read from peapod's auth file, falling
// back to $HOME/.docker/config.json; written by `peapod login` with mode 0600.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PeapodError } from '../../common/errors.js';
import { readJsonIfExists, writeJsonAtomic } from '../../store/atomic.js';
import { DOCKER_HUB, normalizeRegistry } from '../reference.js';

export interface Credentials {
  readonly username?: string;
  readonly password?: string;
  /** OAuth2 refresh token (docker's identitytoken), exchanged at the token endpoint. */
  readonly identityToken?: string;
  /** A bearer token used as is (CRI AuthConfig.registry_token). */
  readonly registryToken?: string;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

interface AuthFile {
  auths?: Record<string, AuthEntry>;
  [key: string]: unknown;
}

/** The key a config.json may use for a registry: a bare host, a URL, and for Docker Hub its legacy v1 URL. */
function keyMatches(key: string, registry: string): boolean {
  try {
    return normalizeRegistry(key) === registry;
  } catch {
    return false;
  }
}

function decodeEntry(entry: AuthEntry, file: string, key: string): Credentials | undefined {
  const out: { username?: string; password?: string; identityToken?: string; registryToken?: string } = {};
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new PeapodError('InvalidArgument', `${file}: auths["${key}"].auth is not base64 of "user:password"`);
    out.username = decoded.slice(0, colon);
    out.password = decoded.slice(colon + 1);
  }
  if (typeof entry.username === 'string' && entry.username !== '') out.username = entry.username;
  if (typeof entry.password === 'string' && entry.password !== '') out.password = entry.password;
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') out.identityToken = entry.identitytoken;
  if (typeof entry.registrytoken === 'string' && entry.registrytoken !== '') out.registryToken = entry.registrytoken;
  return Object.keys(out).length > 0 ? out : undefined;
}

async function readAuthFile(file: string): Promise<AuthFile | undefined> {
  const value = await readJsonIfExists(file);
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PeapodError('InvalidArgument', `${file}: expected a JSON object like {"auths": {"<registry>": {"auth": "<base64 user:password>"}}}`);
  }
  return value as AuthFile;
}

export function defaultDockerConfig(): string {
  return join(process.env['HOME'] ?? homedir(), '.docker', 'config.json');
}

/** Credentials for a registry ("docker.io", "localhost:5000"), or undefined for anonymous access. */
export async function lookupCredentials(registry: string, authFile: string, fallback = defaultDockerConfig()): Promise<Credentials | undefined> {
  const host = normalizeRegistry(registry);
  for (const file of authFile === fallback ? [authFile] : [authFile, fallback]) {
    let parsed: AuthFile | undefined;
    try {
      parsed = await readAuthFile(file);
    } catch (err) {
      // A broken fallback file (docker's, not ours) must not break pulls of public images.
      if (file === fallback) continue;
      throw err;
    }
    const auths = parsed?.auths ?? {};
    const key = Object.keys(auths).find((k) => keyMatches(k, host));
    const entry = key === undefined ? undefined : auths[key];
    if (key !== undefined && entry !== undefined) {
      const creds = decodeEntry(entry, file, key);
      if (creds) return creds;
    }
  }
  return undefined;
}

/** The key docker writes for Docker Hub; other registries are keyed by host[:port]. */
function fileKey(host: string): string {
  return host === DOCKER_HUB ? 'https://index.docker.io/v1/' : host;
}

/** Stores user:password for a registry, keeping the file's other entries and fields. Mode 0600. */
export async function storeCredentials(registry: string, username: string, password: string, authFile: string): Promise<void> {
  const host = normalizeRegistry(registry);
  const parsed = (await readAuthFile(authFile)) ?? {};
  const auths: Record<string, AuthEntry> = { ...(parsed.auths ?? {}) };
  for (const key of Object.keys(auths)) if (keyMatches(key, host)) delete auths[key];
  auths[fileKey(host)] = { auth: Buffer.from(`${username}:${password}`, 'utf8').toString('base64') };
  await writeJsonAtomic(authFile, { ...parsed, auths }, 0o600);
}

/** Forgets a registry's credentials; false when there were none. */
export async function removeCredentials(registry: string, authFile: string): Promise<boolean> {
  const host = normalizeRegistry(registry);
  const parsed = await readAuthFile(authFile);
  if (!parsed?.auths) return false;
  const auths = { ...parsed.auths };
  const keys = Object.keys(auths).filter((k) => keyMatches(k, host));
  if (keys.length === 0) return false;
  for (const key of keys) delete auths[key];
  await writeJsonAtomic(authFile, { ...parsed, auths }, 0o600);
  return true;
}
