// The host as the one Node: capacity from the machine, allocatable after the kubelet's default hard
// eviction reserve (memory.available<100Mi), conditions, addresses and nodeInfo with the runtime's versions.
import { readFileSync } from 'node:fs';
import { statfsSync } from 'node:fs';
import { arch, cpus, networkInterfaces, release, totalmem, uptime } from 'node:os';
import { nodeLabels, nodeName } from '../../common/node-identity.js';
import { PEAPOD_VERSION } from '../../common/version.js';
import { KUBE_GIT_VERSION } from '../discovery.js';
import type { ResourceStore } from '../resource.js';
import type { KubeObj } from '../table.js';

/** The kubelet's default evictionHard memory.available threshold, held back from allocatable. */
const EVICTION_MEMORY_BYTES = 100 * 1024 * 1024;
/** The kubelet's default --max-pods. */
const MAX_PODS = '110';

export { nodeName };

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function osImage(): string {
  const line = readText('/etc/os-release')
    .split('\n')
    .find((l) => l.startsWith('PRETTY_NAME='));
  return line ? line.slice('PRETTY_NAME='.length).replace(/^"|"$/g, '') : 'Linux';
}

function internalIp(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function diskBytes(root: string): number {
  try {
    const s = statfsSync(root);
    return s.blocks * s.bsize;
  } catch {
    return 0;
  }
}

export function nodeObject(root: string, ready: boolean): KubeObj {
  const name = nodeName();
  const memKi = Math.floor(totalmem() / 1024);
  const bootedAt = new Date(Date.now() - uptime() * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const condition = (type: string, status: string, reason: string, message: string): Record<string, string> => ({
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: bootedAt,
    reason,
    message,
  });
  const capacity = { cpu: String(cpus().length), memory: `${memKi}Ki`, pods: MAX_PODS, 'ephemeral-storage': `${Math.floor(diskBytes(root) / 1024)}Ki` };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: readText('/etc/machine-id') || name,
      creationTimestamp: bootedAt,
      labels: nodeLabels(),
    },
    spec: {},
    status: {
      capacity,
      allocatable: { ...capacity, memory: `${memKi - EVICTION_MEMORY_BYTES / 1024}Ki` },
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        ready
          ? condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
          : condition('Ready', 'False', 'KubeletNotReady', 'runtime is not ready'),
      ],
      addresses: [
        { type: 'InternalIP', address: internalIp() },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
      nodeInfo: {
        machineID: readText('/etc/machine-id'),
        systemUUID: readText('/sys/class/dmi/id/product_uuid'),
        bootID: readText('/proc/sys/kernel/random/boot_id'),
        kernelVersion: release(),
        osImage: osImage(),
        containerRuntimeVersion: `peapod://${PEAPOD_VERSION}`,
        kubeletVersion: KUBE_GIT_VERSION,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: arch() === 'x64' ? 'amd64' : arch(),
      },
    },
  };
}

export function nodeStore(root: string): ResourceStore {
  return {
    resource: 'nodes',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    verbs: ['get', 'list', 'watch'],
    list: () => [nodeObject(root, true)],
    get: (_ns, name) => (name === nodeName() ? nodeObject(root, true) : undefined),
    onChange: () => () => undefined,
  };
}
