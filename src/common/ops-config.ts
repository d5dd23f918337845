// Settings of a long-lived node (log rotation, image GC, eviction, metrics, daemon log format, sandboxes
// made at once), with the kubelet's defaults. Each comes from a flag override, then its PEAPOD_* variable,
// then the default; a bad value is refused naming the variable, since a daemon that silently ignores it
// fills the disk.
import { availableParallelism } from 'node:os';
import { PeapodError } from './errors.js';

export interface OpsSettings {
  /** Rotate a container's log once it passes this many bytes (kubelet containerLogMaxSize, 10Mi). */
  readonly containerLogMaxSize: number;
  /** Files per container log, the live one included (kubelet containerLogMaxFiles, 5; at least 2). */
  readonly containerLogMaxFiles: number;
  /** gzip rotated files but the newest (the kubelet always does; optional here). */
  readonly containerLogCompress: boolean;
  /** Image GC starts when the image filesystem is this full (kubelet imageGCHighThresholdPercent, 85). */
  readonly imageGcHighPercent: number;
  /** ... and frees down to this (kubelet imageGCLowThresholdPercent, 80). */
  readonly imageGcLowPercent: number;
  /** Seconds between image GC checks (the kubelet's ImageGCPeriod is 5 minutes; 60 here). */
  readonly imageGcPeriodSeconds: number;
  /** Hard eviction thresholds, kubelet syntax: "memory.available<100Mi,nodefs.available<10%,imagefs.available<15%". */
  readonly evictionHard: string;
  /** host:port of the Prometheus endpoint; empty = off. Only loopback addresses are accepted. */
  readonly metricsAddress: string;
  /** Daemon log lines: "text" or "json" (one JSON object per line, with a level). */
  readonly logFormat: 'text' | 'json';
  /** Pod sandboxes being made at once (their pause, network and the containers made beside it); the rest wait their turn. */
  readonly maxParallelPodStarts: number;
}

export const OPS_ENV_NAMES: Readonly<Record<keyof OpsSettings, string>> = {
  containerLogMaxSize: 'PEAPOD_CONTAINER_LOG_MAX_SIZE',
  containerLogMaxFiles: 'PEAPOD_CONTAINER_LOG_MAX_FILES',
  containerLogCompress: 'PEAPOD_CONTAINER_LOG_COMPRESS',
  imageGcHighPercent: 'PEAPOD_IMAGE_GC_HIGH_PERCENT',
  imageGcLowPercent: 'PEAPOD_IMAGE_GC_LOW_PERCENT',
  imageGcPeriodSeconds: 'PEAPOD_IMAGE_GC_PERIOD',
  evictionHard: 'PEAPOD_EVICTION_HARD',
  metricsAddress: 'PEAPOD_METRICS_ADDRESS',
  logFormat: 'PEAPOD_LOG_FORMAT',
  maxParallelPodStarts: 'PEAPOD_MAX_PARALLEL_POD_STARTS',
};

export const DEFAULT_EVICTION_HARD = 'memory.available<100Mi,nodefs.available<10%,imagefs.available<15%';

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, K: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/** "10Mi", "64Ki", "1048576": a byte count as the kubelet's resource.Quantity writes it (whole units only). */
export function parseByteSize(text: string, field: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|K|M|G)?$/.exec(text.trim());
  const unit = SIZE_UNITS[m?.[2] ?? ''];
  if (!m || unit === undefined) throw new PeapodError('InvalidArgument', `${field}: "${text}" is not a size (e.g. 10Mi, 64Ki or a byte count)`);
  return Number(m[1]) * unit;
}

type OpsOverrides = { readonly [K in keyof OpsSettings]?: OpsSettings[K] | undefined };

export function resolveOpsSettings(overrides: OpsOverrides, env: NodeJS.ProcessEnv): OpsSettings {
  const raw = (key: keyof OpsSettings): string | undefined => {
    const value = env[OPS_ENV_NAMES[key]];
    return value !== undefined && value !== '' ? value : undefined;
  };
  const integer = (
    key: 'containerLogMaxFiles' | 'imageGcHighPercent' | 'imageGcLowPercent' | 'imageGcPeriodSeconds' | 'maxParallelPodStarts',
    fallback: number,
    min: number,
    max: number,
  ): number => {
    const value = overrides[key] ?? (raw(key) !== undefined ? Number(raw(key)) : fallback);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new PeapodError('InvalidArgument', `${OPS_ENV_NAMES[key]}: "${String(value)}" must be an integer from ${min} to ${max}`);
    return value;
  };
  const sizeText = raw('containerLogMaxSize');
  const containerLogMaxSize =
    overrides.containerLogMaxSize ?? (sizeText !== undefined ? parseByteSize(sizeText, OPS_ENV_NAMES.containerLogMaxSize) : 10 * 1024 ** 2);
  if (containerLogMaxSize < 1024)
    throw new PeapodError('InvalidArgument', `${OPS_ENV_NAMES.containerLogMaxSize}: ${containerLogMaxSize} bytes is below the 1Ki minimum`);
  const high = integer('imageGcHighPercent', 85, 1, 100);
  const low = integer('imageGcLowPercent', 80, 0, 100);
  if (low > high) throw new PeapodError('InvalidArgument', `${OPS_ENV_NAMES.imageGcLowPercent}: ${low} is above ${OPS_ENV_NAMES.imageGcHighPercent} (${high})`);
  const compress = overrides.containerLogCompress ?? raw('containerLogCompress');
  if (compress !== undefined && typeof compress === 'string' && compress !== 'true' && compress !== 'false') {
    throw new PeapodError('InvalidArgument', `${OPS_ENV_NAMES.containerLogCompress}: "${compress}" must be true or false`);
  }
  const logFormat = overrides.logFormat ?? raw('logFormat') ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json') throw new PeapodError('InvalidArgument', `${OPS_ENV_NAMES.logFormat}: "${logFormat}" must be text or json`);
  const metricsAddress = overrides.metricsAddress ?? raw('metricsAddress') ?? '';
  if (metricsAddress !== '' && !/^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d+$/.test(metricsAddress)) {
    throw new PeapodError(
      'InvalidArgument',
      `${OPS_ENV_NAMES.metricsAddress}: "${metricsAddress}" must be a loopback host:port (e.g. 127.0.0.1:9101): the endpoint has no authentication`,
    );
  }
  return {
    containerLogMaxSize,
    containerLogMaxFiles: integer('containerLogMaxFiles', 5, 2, 1000),
    containerLogCompress: compress === true || compress === 'true',
    imageGcHighPercent: high,
    imageGcLowPercent: low,
    imageGcPeriodSeconds: integer('imageGcPeriodSeconds', 60, 1, 86400),
    evictionHard: overrides.evictionHard ?? raw('evictionHard') ?? DEFAULT_EVICTION_HARD,
    metricsAddress,
    logFormat,
    maxParallelPodStarts: integer('maxParallelPodStarts', defaultParallelPodStarts(), 1, MAX_PARALLEL_POD_STARTS),
  };
}

const PARALLEL_POD_STARTS_PER_CPU = 8;
const MAX_PARALLEL_POD_STARTS = 1000;

/**
 * Making a sandbox is mostly CPU (runc, conmon, CNI plugins, the kernel's namespace and cgroup setup). With
 * no bound, 100 pods applied at once each took as long as the whole apply, and on a slow 2-vCPU host one
 * conmon went past its 30 s report deadline; 100 pods came up as fast with 16 or 32 under way as with all
 * of them (4 was slower): docs/status.md, ninth stop of issue 15.
 */
export function defaultParallelPodStarts(cpus = availableParallelism()): number {
  return Math.min(MAX_PARALLEL_POD_STARTS, PARALLEL_POD_STARTS_PER_CPU * Math.max(1, cpus));
}
