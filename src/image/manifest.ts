// Parsing and checking the JSON documents of an image: index/manifest list, manifest, config. Anything
// a registry or archive sends is untrusted: every field used later is checked here, once.
import { PeapodError, invalid } from '../common/errors.js';
import { isDigest } from './digest.js';
import { MT, isConfigType, isIndexType, isManifestType, layerCompression, refuseManifestType } from './media-types.js';
import type { DescriptorPlatform } from './platform.js';
import type { ImageRuntimeConfig } from './types.js';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: DescriptorPlatform;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface IndexDocument {
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ManifestDocument {
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

export interface ConfigDocument {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
  readonly created?: string;
  readonly diffIds: readonly string[];
  readonly runtime: ImageRuntimeConfig;
}

export type ParsedDocument = { readonly kind: 'index'; readonly doc: IndexDocument } | { readonly kind: 'manifest'; readonly doc: ManifestDocument };

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(bytes: Uint8Array, where: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch (err) {
    throw new PeapodError('DataLoss', `${where}: not valid JSON`, { cause: err });
  }
  if (!isObject(value)) throw new PeapodError('DataLoss', `${where}: expected a JSON object`);
  return value;
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

function parsePlatform(v: unknown): DescriptorPlatform | undefined {
  if (!isObject(v)) return undefined;
  const p: { os?: string; architecture?: string; variant?: string } = {};
  if (typeof v['os'] === 'string') p.os = v['os'];
  if (typeof v['architecture'] === 'string') p.architecture = v['architecture'];
  if (typeof v['variant'] === 'string') p.variant = v['variant'];
  return p;
}

export function parseDescriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw new PeapodError('DataLoss', `${where}: descriptor is not an object`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== 'string') throw new PeapodError('DataLoss', `${where}: descriptor without mediaType`);
  if (!isDigest(digest)) throw new PeapodError('DataLoss', `${where}: descriptor digest ${JSON.stringify(digest)} is not sha256:<64 hex>`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw new PeapodError('DataLoss', `${where}: descriptor size ${String(size)} is invalid`);
  const out: { mediaType: string; digest: string; size: number; platform?: DescriptorPlatform; annotations?: Record<string, string> } = {
    mediaType,
    digest,
    size,
  };
  const platform = parsePlatform(v['platform']);
  if (platform) out.platform = platform;
  const annotations = stringMap(v['annotations']);
  if (annotations) out.annotations = annotations;
  return out;
}

/** Index or manifest, told apart by its mediaType field, else the HTTP Content-Type, else its shape. */
export function parseManifestDocument(bytes: Uint8Array, contentType: string | undefined, where: string): ParsedDocument {
  const json = parseJson(bytes, where);
  if (json['schemaVersion'] === 1) refuseManifestType(MT.dockerSchema1, where);
  const declared = typeof json['mediaType'] === 'string' ? json['mediaType'] : (contentType?.split(';')[0]?.trim() ?? '');
  let mediaType = declared;
  // The OCI spec made mediaType optional in early versions; registries then send a generic Content-Type.
  if (!isIndexType(mediaType) && !isManifestType(mediaType)) {
    if (Array.isArray(json['manifests']) && (mediaType === '' || mediaType === 'application/json')) mediaType = MT.ociIndex;
    else if (isObject(json['config']) && (mediaType === '' || mediaType === 'application/json')) mediaType = MT.ociManifest;
    else refuseManifestType(mediaType, where);
  }
  if (isIndexType(mediaType)) {
    if (!Array.isArray(json['manifests'])) throw new PeapodError('DataLoss', `${where}: index without a manifests array`);
    const manifests = json['manifests'].map((d, i) => parseDescriptor(d, `${where} manifests[${i}]`));
    const annotations = stringMap(json['annotations']);
    return { kind: 'index', doc: annotations ? { mediaType, manifests, annotations } : { mediaType, manifests } };
  }
  const config = parseDescriptor(json['config'], `${where} config`);
  if (!isConfigType(config.mediaType)) {
    throw invalid(`${where}: config media type "${config.mediaType}" is not an image config (an artifact, not a runnable image)`, {
      hint: `expected ${MT.ociConfig} or ${MT.dockerConfig}`,
    });
  }
  if (!Array.isArray(json['layers'])) throw new PeapodError('DataLoss', `${where}: manifest without a layers array`);
  const layers = json['layers'].map((d, i) => parseDescriptor(d, `${where} layers[${i}]`));
  for (const [i, layer] of layers.entries()) layerCompression(layer.mediaType, `${where} layers[${i}]`);
  return { kind: 'manifest', doc: { mediaType, config, layers } };
}

function stringArray(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
}

function runtimeConfig(c: unknown): ImageRuntimeConfig {
  if (!isObject(c)) return {};
  const out: { -readonly [K in keyof ImageRuntimeConfig]: ImageRuntimeConfig[K] } = {};
  if (typeof c['User'] === 'string' && c['User'] !== '') out.user = c['User'];
  const env = stringArray(c['Env']);
  if (env) out.env = env;
  const entrypoint = stringArray(c['Entrypoint']);
  if (entrypoint) out.entrypoint = entrypoint;
  const cmd = stringArray(c['Cmd']);
  if (cmd) out.cmd = cmd;
  if (typeof c['WorkingDir'] === 'string' && c['WorkingDir'] !== '') out.workingDir = c['WorkingDir'];
  if (isObject(c['ExposedPorts'])) out.exposedPorts = Object.keys(c['ExposedPorts']);
  const labels = stringMap(c['Labels']);
  if (labels && Object.keys(labels).length > 0) out.labels = labels;
  if (typeof c['StopSignal'] === 'string' && c['StopSignal'] !== '') out.stopSignal = c['StopSignal'];
  if (isObject(c['Volumes'])) out.volumes = Object.keys(c['Volumes']);
  return out;
}

export function parseConfigDocument(bytes: Uint8Array, where: string): ConfigDocument {
  const json = parseJson(bytes, where);
  const rootfs = json['rootfs'];
  if (!isObject(rootfs) || rootfs['type'] !== 'layers' || !Array.isArray(rootfs['diff_ids'])) {
    throw new PeapodError('DataLoss', `${where}: image config without rootfs.type "layers" and rootfs.diff_ids`);
  }
  const diffIds = rootfs['diff_ids'].map((d, i) => {
    if (!isDigest(d)) throw new PeapodError('DataLoss', `${where}: rootfs.diff_ids[${i}] ${JSON.stringify(d)} is not sha256:<64 hex>`);
    return d;
  });
  const os = typeof json['os'] === 'string' ? json['os'] : '';
  const architecture = typeof json['architecture'] === 'string' ? json['architecture'] : '';
  const out: { -readonly [K in keyof ConfigDocument]: ConfigDocument[K] } = { os, architecture, diffIds, runtime: runtimeConfig(json['config']) };
  if (typeof json['variant'] === 'string' && json['variant'] !== '') out.variant = json['variant'];
  if (typeof json['created'] === 'string') out.created = json['created'];
  return out;
}
