// Debian's podman as a reference, configured the way the host allows (runc, cgroupfs, file events,
// ulimits within the hard limits), with the offline busybox image copied into its store.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, runUnchecked } from '../../src/host/exec.js';

const PODMAN_CONF = `[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`;
export const PODMAN_TIMEOUT_MS = 120_000;

export interface Podman {
  readonly env: NodeJS.ProcessEnv;
  podman(args: readonly string[]): Promise<string>;
}

/** undefined (with the reason logged) when podman is not installed: the suites then report no reference. */
export async function preparePodman(dir: string, busyboxLayout: string, log: (line: string) => void): Promise<Podman | undefined> {
  const conf = join(dir, 'containers.conf');
  await writeFile(conf, PODMAN_CONF);
  const env = { ...process.env, CONTAINERS_CONF: conf };
  const version = await runUnchecked('podman', ['--version'], { env }).catch(() => undefined);
  if (!version || version.code !== 0) {
    log('podman is not installed (bash scripts/setup.sh --bench installs it): podman references skipped');
    return undefined;
  }
  // podman names an oci: pull after its path; skopeo copies it into podman's store under the right name.
  await run('skopeo', ['copy', '-q', `oci:${busyboxLayout}:latest`, 'containers-storage:docker.io/library/busybox:latest'], { env, timeoutMs: PODMAN_TIMEOUT_MS });
  return {
    env,
    podman: async (args) => (await run('podman', args, { env, timeoutMs: PODMAN_TIMEOUT_MS })).stdout,
  };
}
