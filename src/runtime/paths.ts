// Paths the runtime derives from its records, named once: the fronts (cri/, kubelet/, dashboard/) and
// the runtime's own steps read them here instead of joining the pieces again.
import { join } from 'node:path';
import type { ContainerRecord, SandboxRecord } from './types.js';

/** The cgroup of a sandbox's pause process or of a container: a child of the pod cgroup named by its ID. */
export function childCgroupPath(cgroupParent: string, id: string): string {
  return `${cgroupParent}/${id}`;
}

/** A container's CRI log file: its log path is relative to the sandbox's log directory (as in CRI). */
export function containerLogPath(sandbox: Pick<SandboxRecord, 'config'>, container: Pick<ContainerRecord, 'config'>): string {
  return join(sandbox.config.logDirectory, container.config.logPath);
}

/** The container's merged overlay root inside its dir. */
export function containerRootfs(containerDir: string): string {
  return join(containerDir, 'rootfs');
}

/** conmon binds its attach socket in the container's bundle (--full-attach). */
export function attachSocketPath(containerDir: string): string {
  return join(containerDir, 'attach');
}
