// `peapod login`: prove the credentials against the registry's /v2/ with the same challenge flow a pull
// uses (basic, or a bearer token fetched with them), and only then store them.
import { PeapodError, errorCode } from '../../common/errors.js';
import { normalizeRegistry } from '../reference.js';
import { Authorizer } from './auth.js';
import { RegistryClient } from './client.js';
import { removeCredentials, storeCredentials } from './credentials.js';

export interface LoginOptions {
  readonly authFile: string;
  readonly insecureRegistries: readonly string[];
  readonly signal?: AbortSignal;
}

/** Checks user:password against the registry and writes them to the auth file (mode 0600). */
export async function login(registry: string, username: string, password: string, options: LoginOptions): Promise<string> {
  const host = normalizeRegistry(registry);
  if (username === '') throw new PeapodError('InvalidArgument', 'a user name is required (-u USER)');
  if (password === '') throw new PeapodError('InvalidArgument', 'a password is required (-p PASSWORD or --password-stdin)');
  const authorizer = new Authorizer(() => Promise.resolve({ username, password }));
  const client = new RegistryClient({ authorizer, insecureRegistries: options.insecureRegistries });
  try {
    await client.ping(host, options.signal);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'Unauthenticated' || code === 'PermissionDenied') {
      throw new PeapodError('Unauthenticated', `login to ${host} failed: invalid username or password`, { cause: err });
    }
    throw err;
  }
  await storeCredentials(host, username, password, options.authFile);
  return host;
}

/** Forgets the registry's credentials; false when none were stored. */
export function logout(registry: string, authFile: string): Promise<boolean> {
  return removeCredentials(registry, authFile);
}
