// The node's pod cgroup tree as the kubelet lays it out (kubepods → QoS class → pod<uid> → container),
// each node read back from the cgroup files (limits and usage), with the pods' requests next to the
// node's capacity. Paths come from the host's cgroup listing, names from the runtime's records.
import { cpus, totalmem } from 'node:os';
import type { CgroupReadback } from '../host/cgroups/types.js';
import { cpuMilli, memoryBytes } from '../kube/quantity.js';
import type { PodManager } from '../kubelet/manager.js';
import type { RuntimeService } from '../runtime/service.js';
import { childCgroupPath } from '../runtime/paths.js';

/** A node with hundreds of pods is not what peapod runs; the tree is cut here rather than read without end. */
const MAX_CGROUPS = 500;

export interface CgroupNode {
  readonly path: string;
  readonly depth: number;
  readonly kind: 'root' | 'qos' | 'pod' | 'container' | 'other';
  /** namespace/name of the pod, or the container's name. */
  readonly label: string;
  readonly requests?: { readonly cpuMilli: number; readonly memoryBytes: number };
  readonly readback?: CgroupReadback;
}

export interface CgroupTree {
  readonly capacity: { readonly cpuMilli: number; readonly memoryBytes: number };
  readonly nodes: readonly CgroupNode[];
  readonly truncated: boolean;
}

export async function readCgroupTree(base: string, pods: PodManager, runtime: RuntimeService): Promise<CgroupTree> {
  const owners = new Map<string, Omit<CgroupNode, 'path' | 'depth' | 'readback'>>();
  for (const record of pods.pods.list()) {
    const sandbox = record.sandboxId === undefined ? undefined : runtime.sandboxes.get(record.sandboxId);
    if (!sandbox) continue;
    const specs = [...(record.pod.spec.initContainers ?? []), ...record.pod.spec.containers];
    const requests = { cpuMilli: 0, memoryBytes: 0 };
    for (const c of specs) {
      requests.cpuMilli += c.resources?.requests?.['cpu'] === undefined ? 0 : cpuMilli(c.resources.requests['cpu']);
      requests.memoryBytes += c.resources?.requests?.['memory'] === undefined ? 0 : memoryBytes(c.resources.requests['memory']);
    }
    owners.set(sandbox.config.cgroupParent, { kind: 'pod', label: `${record.pod.metadata.namespace ?? 'default'}/${record.pod.metadata.name}`, requests });
    // The pause process's own cgroup, as the runtime names it.
    owners.set(childCgroupPath(sandbox.config.cgroupParent, sandbox.id), { kind: 'container', label: 'pause (sandbox)' });
  }
  for (const container of runtime.containers.list()) {
    const exited = container.state === 'exited' ? ', exited' : '';
    owners.set(container.cgroupsPath, { kind: 'container', label: `${container.config.name} #${container.config.attempt}${exited}` });
  }
  const paths = (await runtime.listCgroupTree(base)).filter((p) => p === base || p.startsWith(`${base}/`));
  const nodes: CgroupNode[] = [];
  for (const path of paths.slice(0, MAX_CGROUPS)) {
    const rel = path
      .slice(base.length)
      .split('/')
      .filter((s) => s !== '');
    const owner = owners.get(path);
    const qos = rel.length === 1 && (rel[0] === 'burstable' || rel[0] === 'besteffort');
    const kind = owner?.kind ?? (rel.length === 0 ? 'root' : qos ? 'qos' : 'other');
    const label = owner?.label ?? (rel.length === 0 ? 'kubepods (Guaranteed pods directly below)' : (rel[rel.length - 1] ?? ''));
    const readback = await runtime.readCgroup(path);
    nodes.push({ path, depth: rel.length, kind, label, ...(owner?.requests ? { requests: owner.requests } : {}), ...(readback ? { readback } : {}) });
  }
  return { capacity: { cpuMilli: cpus().length * 1000, memoryBytes: totalmem() }, nodes, truncated: paths.length > MAX_CGROUPS };
}
