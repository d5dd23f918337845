// Loads the CRI protocol definition at run time with @grpc/proto-loader. The .proto stays in the
// source tree (it is not copied into dist/): from dist/src/cri/proto/load.js, ../../../../src/cri/proto/
// is the source file. The loader options below fix how messages look in TypeScript (see ../types.ts).
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import { PeapodError } from '../../common/errors.js';

export const CRI_PROTO_PATH = fileURLToPath(new URL('../../../../src/cri/proto/api.proto', import.meta.url));

/**
 * int64/uint64 arrive and leave as decimal strings: nanosecond timestamps (≈1.7e18) do not fit a
 * double exactly. Enums are their names; absent scalars are their proto3 defaults; absent messages null.
 */
export const CRI_LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

export interface CriServices {
  readonly runtime: ServiceClientConstructor;
  readonly image: ServiceClientConstructor;
  readonly runtimeDefinition: ServiceDefinition;
  readonly imageDefinition: ServiceDefinition;
}

let cached: CriServices | undefined;

export function loadCriServices(): CriServices {
  if (cached) return cached;
  const definition = loadSync(CRI_PROTO_PATH, CRI_LOADER_OPTIONS);
  const root = loadPackageDefinition(definition);
  const pkg = child(child(root, 'runtime'), 'v1');
  const runtime = pkg['RuntimeService'];
  const image = pkg['ImageService'];
  if (typeof runtime !== 'function' || typeof image !== 'function') {
    throw new PeapodError('Internal', `${CRI_PROTO_PATH}: services runtime.v1.RuntimeService and runtime.v1.ImageService not found`);
  }
  cached = { runtime, image, runtimeDefinition: runtime.service, imageDefinition: image.service };
  return cached;
}

function child(object: GrpcObject, name: string): GrpcObject {
  const value = object[name];
  if (value === undefined || typeof value === 'function' || !isGrpcObject(value)) {
    throw new PeapodError('Internal', `${CRI_PROTO_PATH}: package ${name} not found`);
  }
  return value;
}

function isGrpcObject(value: unknown): value is GrpcObject {
  return typeof value === 'object' && value !== null && !('format' in value);
}
