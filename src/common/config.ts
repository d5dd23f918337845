// Every root peapod touches, resolved once from flags, then environment, then defaults, so that two
// daemons (a user's and a test's) can run side by side without touching each other's objects.
import { join } from 'node:path';
import { OPS_ENV_NAMES, resolveOpsSettings, type OpsSettings } from './ops-config.js';

export interface PeapodConfig extends OpsSettings {
  /** Persistent state: images, snapshots, pod and container records. */
  readonly root: string;
  /** Volatile state: sockets, namespace pins (netns, ipcns, utsns), runc root, conmon pidfiles. */
  readonly runRoot: string;
  /** The daemon's local API socket (HTTP/JSON). */
  readonly socket: string;
  /** The CRI v1 gRPC socket; empty string disables it. */
  readonly criSocket: string;
  /** host:port of the CRI streaming server (Exec/Attach/PortForward URLs); port 0 picks a free one. */
  readonly streamingAddress: string;
  /** cgroupfs parent of everything peapod creates: pods live in `<cgroupRoot>/kubepods/...`. */
  readonly cgroupRoot: string;
  /** Linux bridge for pod networking. */
  readonly bridge: string;
  /** Pod subnet handed to host-local IPAM. */
  readonly subnet: string;
  /** Service cluster IPs are allocated from this IPv4 range (kube-apiserver's --service-cluster-ip-range). */
  readonly serviceCidr: string;
  /** Directory of the CNI plugin binaries. */
  readonly cniBinDir: string;
  /** Static pod manifests watched by the daemon. */
  readonly manifestDir: string;
  /** docker-style config.json with registry credentials, written by `peapod login`. */
  readonly authFile: string;
  /** Registries reached over plain http (host or host:port). Loopback registries always may be. */
  readonly insecureRegistries: readonly string[];
  /** Mirrors as "registry=url" entries, tried before the registry (image/registry/mirrors.ts). */
  readonly registryMirrors: readonly string[];
  /** YAML file of more mirrors (`mirrors: {registry: [url, ...]}`); absent = none. */
  readonly registriesConfig: string;
  /** The low-level OCI runtime binary. */
  readonly runtimePath: string;
  readonly conmonPath: string;
  readonly pausePath: string;
  /** TCP port of the Kubernetes API (HTTPS on 127.0.0.1, client certificates only); '' or '0' disables it. */
  readonly kubeApiPort: string;
  /** host:port of the web dashboard, opened by `peapod dashboard`; loopback only (port 0 picks a free one). */
  readonly dashboardAddress: string;
}

export type ConfigOverrides = { -readonly [K in keyof PeapodConfig]?: PeapodConfig[K] | undefined };

export const ENV_NAMES: Readonly<Record<keyof PeapodConfig, string>> = {
  root: 'PEAPOD_ROOT',
  runRoot: 'PEAPOD_RUN_ROOT',
  socket: 'PEAPOD_SOCKET',
  criSocket: 'PEAPOD_CRI_SOCKET',
  streamingAddress: 'PEAPOD_STREAMING_ADDRESS',
  cgroupRoot: 'PEAPOD_CGROUP_ROOT',
  bridge: 'PEAPOD_BRIDGE',
  subnet: 'PEAPOD_SUBNET',
  serviceCidr: 'PEAPOD_SERVICE_CIDR',
  cniBinDir: 'PEAPOD_CNI_BIN_DIR',
  manifestDir: 'PEAPOD_MANIFEST_DIR',
  authFile: 'PEAPOD_AUTH_FILE',
  insecureRegistries: 'PEAPOD_INSECURE_REGISTRIES',
  registryMirrors: 'PEAPOD_REGISTRY_MIRRORS',
  registriesConfig: 'PEAPOD_REGISTRIES_CONFIG',
  runtimePath: 'PEAPOD_RUNTIME',
  conmonPath: 'PEAPOD_CONMON',
  pausePath: 'PEAPOD_PAUSE',
  ...OPS_ENV_NAMES,
  kubeApiPort: 'PEAPOD_KUBE_API_PORT',
  dashboardAddress: 'PEAPOD_DASHBOARD_ADDRESS',
};

export function resolveConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): PeapodConfig {
  const pick = (key: keyof PeapodConfig): string | undefined => {
    const flag = overrides[key];
    if (typeof flag === 'string' && flag !== '') return flag;
    const fromEnv = env[ENV_NAMES[key]];
    return fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
  };
  const root = pick('root') ?? '/var/lib/peapod';
  const runRoot = pick('runRoot') ?? '/run/peapod';
  const list = (key: 'insecureRegistries' | 'registryMirrors'): string[] => {
    const flag = overrides[key];
    const fromEnv = env[ENV_NAMES[key]];
    return flag !== undefined
      ? [...flag]
      : fromEnv
        ? fromEnv
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '')
        : [];
  };
  return {
    root,
    runRoot,
    socket: pick('socket') ?? join(runRoot, 'peapod.sock'),
    criSocket: overrides.criSocket ?? env[ENV_NAMES.criSocket] ?? join(runRoot, 'cri.sock'),
    // Loopback only by default: whoever holds a streaming URL gets a shell in a container.
    streamingAddress: pick('streamingAddress') ?? '127.0.0.1:0',
    cgroupRoot: pick('cgroupRoot') ?? '/peapod',
    bridge: pick('bridge') ?? 'peapod0',
    subnet: pick('subnet') ?? '10.89.0.0/16',
    // kubeadm's default service range, apart from the default pod subnet.
    serviceCidr: pick('serviceCidr') ?? '10.96.0.0/16',
    cniBinDir: pick('cniBinDir') ?? '/usr/lib/cni',
    manifestDir: pick('manifestDir') ?? '/etc/peapod/manifests',
    authFile: pick('authFile') ?? '/etc/peapod/auth.json',
    insecureRegistries: list('insecureRegistries'),
    registryMirrors: list('registryMirrors'),
    registriesConfig: pick('registriesConfig') ?? '/etc/peapod/registries.yaml',
    runtimePath: pick('runtimePath') ?? 'runc',
    conmonPath: pick('conmonPath') ?? 'conmon',
    pausePath: pick('pausePath') ?? 'catatonit',
    ...resolveOpsSettings(overrides, env),
    // Like criSocket, an explicit empty value disables the door rather than meaning "default".
    kubeApiPort: overrides.kubeApiPort ?? env[ENV_NAMES.kubeApiPort] ?? '6443',
    dashboardAddress: pick('dashboardAddress') ?? '127.0.0.1:7780',
  };
}

/** Environment that makes a child process (the daemon started on demand) resolve the same config. */
export function configToEnv(config: PeapodConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(ENV_NAMES) as (keyof PeapodConfig)[]) {
    const value = config[key];
    out[ENV_NAMES[key]] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return out;
}

/** Well-known paths under the state root, named once (the pod manager is given only the root). */
export function rootPaths(root: string) {
  return {
    images: join(root, 'images'),
    blobs: join(root, 'images', 'blobs'),
    ingest: join(root, 'images', 'ingest'),
    snapshots: join(root, 'snapshots'),
    pods: join(root, 'pods'),
    containers: join(root, 'containers'),
    logs: join(root, 'logs'),
    /** Localhost seccomp profiles, as the kubelet's <root-dir>/seccomp. */
    seccomp: join(root, 'seccomp'),
    volumes: join(root, 'volumes'),
    /** The local-path provisioner's volume directories (one per PersistentVolume, root only). */
    localPath: join(root, 'volumes', 'local-path'),
    kubeApiCerts: join(root, 'kubeapi'),
    /** The record stores: pods and API objects (kubelet/), sandboxes and containers (runtime/). */
    podRecords: join(root, 'records', 'pods'),
    objectRecords: join(root, 'records', 'objects'),
    sandboxRecords: join(root, 'records', 'sandboxes'),
    containerRecords: join(root, 'records', 'containers'),
    /** The host-local IPAM's leases (CNI dataDir). */
    cniNetworks: join(root, 'cni', 'networks'),
  } as const;
}

/** Well-known paths under the roots, named once. */
export function paths(config: PeapodConfig) {
  return {
    ...rootPaths(config.root),
    /** Per-sandbox files (hosts, resolv.conf, hostname, the pause's config.json and output). */
    sandboxes: join(config.runRoot, 'sandboxes'),
    /** The one root filesystem every pause shares, read-only (runtime/sandbox/pause-rootfs.ts). */
    pauseRootfs: join(config.runRoot, 'pause-rootfs'),
    runcRoot: join(config.runRoot, 'runc'),
    netns: join(config.runRoot, 'netns'),
    /** A pod's pinned IPC and UTS namespaces (host/namespace-pins.ts). */
    ipcns: join(config.runRoot, 'ipcns'),
    utsns: join(config.runRoot, 'utsns'),
    /** A pod's /dev/shm, a tmpfs its containers share (host/namespace-pins.ts). */
    shm: join(config.runRoot, 'shm'),
    cni: join(config.runRoot, 'cni'),
    exits: join(config.runRoot, 'exits'),
    conmon: join(config.runRoot, 'conmon'),
    daemonPid: join(config.runRoot, 'peapod.pid'),
    daemonLog: join(config.runRoot, 'daemon.log'),
  } as const;
}
export type PeapodPaths = ReturnType<typeof paths>;
