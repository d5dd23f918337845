// seccompProfile type Localhost: the profile is a file under <root>/seccomp, as under the kubelet's
// root-dir/seccomp, loaded into the container's config before it reaches the runtime.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PeapodError, errorMessage } from '../common/errors.js';
import type { ContainerConfig } from '../runtime/types.js';

/** The config with a Localhost profile's name replaced by the profile it names (other kinds unchanged). */
export async function withLocalhostSeccomp(config: ContainerConfig, seccompDir: string): Promise<ContainerConfig> {
  const seccomp = config.security.seccomp;
  if (seccomp.kind !== 'localhost' || typeof seccomp.profile !== 'string') return config;
  const name = seccomp.profile;
  if (name === '' || name.startsWith('/') || name.split('/').includes('..')) {
    throw new PeapodError('InvalidArgument', `seccompProfile.localhostProfile: ${JSON.stringify(name)} must be a relative path inside the seccomp directory`);
  }
  const file = join(seccompDir, name);
  let profile: unknown;
  try {
    profile = JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (err) {
    throw new PeapodError('FailedPrecondition', `cannot load seccomp profile ${file}: ${errorMessage(err)}`);
  }
  return { ...config, security: { ...config.security, seccomp: { kind: 'localhost', profile } } };
}
