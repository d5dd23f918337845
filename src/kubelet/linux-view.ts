// The Linux view of a pod that `peapod describe` prints: per container its host PID, each namespace's
// inode and whether it is the sandbox's (shared), its own, or the host's, and its cgroup with the
// limits read back from the cgroup files.
import type { CgroupReadback } from '../host/cgroups/types.js';
import type { RuntimeService } from '../runtime/service.js';
import type { PodRecord } from './pod-record.js';
import { podContainers } from '../kube/pod-containers.js';

export const NAMESPACE_TYPES = ['net', 'ipc', 'uts', 'pid', 'mnt', 'cgroup', 'user'] as const;
export type NamespaceType = (typeof NAMESPACE_TYPES)[number];

export interface NamespaceView {
  readonly type: NamespaceType;
  readonly inode: number | undefined;
  readonly sharing: 'shared with sandbox' | 'own' | 'host' | 'unknown';
}

export interface ContainerLinuxView {
  readonly name: string;
  readonly containerId: string;
  readonly pid: number | undefined;
  readonly namespaces: readonly NamespaceView[];
  readonly cgroup: CgroupReadback | undefined;
}

export interface PodLinuxView {
  readonly sandboxId: string | undefined;
  readonly pausePid: number | undefined;
  readonly podCgroup: CgroupReadback | undefined;
  readonly sandboxNamespaces: Readonly<Record<string, number>>;
  /** The daemon's own namespaces: the host's, for drawing what a pod shares with the node. */
  readonly hostNamespaces: Readonly<Record<string, number>>;
  readonly containers: readonly ContainerLinuxView[];
}

export async function podLinuxView(record: PodRecord, runtime: RuntimeService): Promise<PodLinuxView> {
  const sandbox = record.sandboxId === undefined ? undefined : runtime.sandboxes.get(record.sandboxId);
  // The daemon runs in the host's namespaces (PID 1's may not be readable in a sandboxed VM).
  const hostNs = await runtime.nodeNamespaces();
  const pausePid = sandbox?.state === 'ready' ? sandbox.pausePid : undefined;
  const sandboxNs = sandbox === undefined ? {} : await runtime.sandboxNamespaces(sandbox.id);
  const podCgroup = sandbox ? await runtime.readCgroup(sandbox.config.cgroupParent) : undefined;
  const specs = podContainers(record.pod.spec);
  const containers: ContainerLinuxView[] = [];
  for (const c of specs) {
    const id = record.containers[c.name]?.containerId;
    const cr = id === undefined ? undefined : runtime.containers.get(id);
    if (!cr) continue;
    const running = cr.state === 'running' && cr.pid !== undefined;
    const ns = running ? await runtime.containerNamespaces(cr.id) : {};
    const namespaces = NAMESPACE_TYPES.map((type): NamespaceView => {
      const inode = ns[type];
      const sharing = inode === undefined ? 'unknown' : inode === hostNs[type] ? 'host' : inode === sandboxNs[type] ? 'shared with sandbox' : 'own';
      return { type, inode, sharing };
    });
    const cgroup = running ? await runtime.readCgroup(cr.cgroupsPath) : undefined;
    containers.push({ name: c.name, containerId: cr.id, pid: running ? cr.pid : undefined, namespaces, cgroup });
  }
  return { sandboxId: sandbox?.id, pausePid, podCgroup, sandboxNamespaces: sandboxNs, hostNamespaces: hostNs, containers };
}
