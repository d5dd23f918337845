import type { ApiRouter } from '../server.js';
import type { PeapodConfig } from '../../common/config.js';
import { PEAPOD_VERSION } from '../../common/version.js';
import { hostInfo, type HostInfo } from '../../host/info.js';

export interface VersionResult {
  readonly version: string;
  readonly node: string;
  readonly pid: number;
}

export interface InfoResult {
  readonly version: string;
  readonly host: HostInfo;
  readonly roots: {
    readonly root: string;
    readonly runRoot: string;
    readonly socket: string;
    readonly criSocket: string;
    readonly cgroupRoot: string;
    readonly bridge: string;
    readonly subnet: string;
    /** The Kubernetes API's port on 127.0.0.1 ('' or '0': not served). */
    readonly kubeApiPort: string;
  };
  readonly images: number;
  readonly pods: number;
  /** Registry → mirror endpoints, tried in order before the registry. */
  readonly registryMirrors: Readonly<Record<string, readonly string[]>>;
  /** Host problems that degrade pods (e.g. IPv4 forwarding off). */
  readonly warnings: readonly string[];
  /** Disk use, garbage collection, log rotation and eviction state of a long-lived node. */
  readonly operations?: OpsInfo;
}

export interface OpsInfo {
  readonly disk: {
    readonly path: string;
    readonly capacityBytes: number;
    readonly availableBytes: number;
    readonly usedPercent: number;
    readonly logsBytes: number;
    readonly imageBlobsBytes: number;
  };
  readonly imageGc: {
    readonly highPercent: number;
    readonly lowPercent: number;
    readonly lastRunAt?: string;
    readonly imagesRemoved: number;
    readonly lastRemoved: readonly string[];
    readonly lastError?: string;
  };
  readonly logRotation: { readonly maxSize: number; readonly maxFiles: number; readonly compress: boolean; readonly rotations: number };
  readonly eviction: { readonly hard: string; readonly underPressure: readonly string[] };
  readonly metricsAddress: string;
  /** Sandboxes made at once (PEAPOD_MAX_PARALLEL_POD_STARTS); more wait their turn. */
  readonly maxParallelPodStarts: number;
}

export interface Counters {
  imageCount(): Promise<number>;
  podCount(): Promise<number>;
  hostWarnings(): Promise<string[]>;
  operations?(): Promise<OpsInfo>;
}

export function registerSystemRoutes(router: ApiRouter, config: PeapodConfig, mirrors: ReadonlyMap<string, readonly string[]>, counters: Counters): void {
  const registryMirrors = Object.fromEntries(mirrors);
  router.json('GET', '/v1/version', () => Promise.resolve<VersionResult>({ version: PEAPOD_VERSION, node: process.version, pid: process.pid }));
  router.json('GET', '/v1/info', async (): Promise<InfoResult> => {
    const [host, images, pods, warnings, operations] = await Promise.all([
      hostInfo(config.runtimePath, config.conmonPath, config.pausePath, config.cniBinDir),
      counters.imageCount(),
      counters.podCount(),
      counters.hostWarnings(),
      counters.operations?.(),
    ]);
    const { root, runRoot, socket, criSocket, cgroupRoot, bridge, subnet, kubeApiPort } = config;
    return {
      version: PEAPOD_VERSION,
      host,
      roots: { root, runRoot, socket, criSocket, cgroupRoot, bridge, subnet, kubeApiPort },
      images,
      pods,
      registryMirrors,
      warnings,
      ...(operations ? { operations } : {}),
    };
  });
}
