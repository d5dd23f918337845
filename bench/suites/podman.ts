// Debian's podman as a reference, configured the way the host allows (runc, cgroupfs, file events,
// ulimits within the hard limits), with the offline busybox image copied into its store.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run, runUnchecked } from '../../src/host/exec.js';

// podman kube play makes a network from its subnet pool; its default pool starts at 10.89.0.0/24,
// inside peapod's default 10.89.0.0/16, and its leftover bridge route would shadow peapod's pods.
const PODMAN_KUBE_NETWORK = 'podman-default-kube-network';
const PODMAN_CONF = `[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[network]
default_subnet_pools = [{ "base" = "10.252.0.0/16", "size" = 24 }]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`;
export const PODMAN_TIMEOUT_MS = 120_000;

export interface Podman {
  readonly env: NodeJS.ProcessEnv;
  podman(args: readonly string[]): Promise<string>;
  /** Removes the network `kube play` created, and its bridge, so the host is as before. */
  close(): Promise<void>;
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
  await run('skopeo', ['copy', '-q', `oci:${busyboxLayout}:latest`, 'containers-storage:docker.io/library/busybox:latest'], {
    env,
    timeoutMs: PODMAN_TIMEOUT_MS,
  });
  return {
    env,
    podman: async (args) => (await run('podman', args, { env, timeoutMs: PODMAN_TIMEOUT_MS })).stdout,
    async close() {
      const inspect = await runUnchecked('podman', ['network', 'inspect', PODMAN_KUBE_NETWORK, '--format', '{{.NetworkInterface}}'], { env });
      if (inspect.code !== 0) return;
      await run('podman', ['network', 'rm', '-f', PODMAN_KUBE_NETWORK], { env, timeoutMs: PODMAN_TIMEOUT_MS });
      const bridge = inspect.stdout.trim();
      if (bridge !== '') await runUnchecked('ip', ['link', 'del', bridge]);
      // host-local's lease directory for that network (empty once kube down released the addresses).
      await rm(`/var/lib/cni/networks/${PODMAN_KUBE_NETWORK}`, { recursive: true, force: true });
    },
  };
}
