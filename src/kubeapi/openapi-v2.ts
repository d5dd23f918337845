// /openapi/v2 as kubectl before 1.27 reads it (client-side validation of apply/create, explain): the
// gnostic openapi_v2.Document protobuf (application/com.github.proto-openapi.spec.v2@v1.0+protobuf),
// with one definition per served kind, generated from the kube layer's structural schema like v3.
import { CONFIGMAP_SHAPE, POD_SHAPE, SECRET_SHAPE, type Shape } from '../kube/schema.js';
import { KUBE_GIT_VERSION } from './discovery.js';
import type { ResourceStore } from './resource.js';

/** The answer's media type: kubectl asks for `...spec.v2@v1.0+protobuf`, but '@' is not a token character and Go's mime parser refuses it. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** Protobuf wire encoding: only length-delimited fields are needed (strings and messages). */
function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function field(no: number, value: Buffer | string): Buffer {
  const payload = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([varint((no << 3) | 2), varint(payload.length), payload]);
}

const cat = (parts: readonly Buffer[]): Buffer => Buffer.concat(parts);

// openapi_v2.Schema field numbers (gnostic openapiv2/OpenAPIv2.proto).
const SCHEMA = { format: 2, description: 4, required: 19, additionalProperties: 21, type: 22, items: 23, properties: 25, vendorExtension: 31 } as const;

const typeItem = (t: string): Buffer => field(SCHEMA.type, field(1, t));
const named = (name: string, value: Buffer): Buffer => cat([field(1, name), field(2, value)]);

function schema(shape: Shape): Buffer {
  switch (shape.t) {
    case 'string':
      return typeItem('string');
    case 'int':
      return cat([typeItem('integer'), field(SCHEMA.format, 'int64')]);
    case 'bool':
      return typeItem('boolean');
    case 'intOrString':
      // As Kubernetes publishes IntOrString in v2: a string of format int-or-string (validation accepts numbers).
      return cat([typeItem('string'), field(SCHEMA.format, 'int-or-string')]);
    case 'any':
      return Buffer.alloc(0);
    case 'arr':
      return cat([typeItem('array'), field(SCHEMA.items, field(1, schema(shape.of)))]);
    case 'map':
      return cat([typeItem('object'), field(SCHEMA.additionalProperties, field(1, schema(shape.of)))]);
    case 'obj':
      return cat([
        typeItem('object'),
        field(SCHEMA.properties, cat(Object.entries(shape.f).map(([k, v]) => field(1, named(k, schema(v)))))),
        ...(shape.required ?? []).map((r) => field(SCHEMA.required, r)),
      ]);
  }
}

function kindSchema(kind: string): Buffer {
  const shape = kind === 'Pod' ? POD_SHAPE : kind === 'ConfigMap' ? CONFIGMAP_SHAPE : kind === 'Secret' ? SECRET_SHAPE : undefined;
  const gvk = `- group: ""\n  kind: ${kind}\n  version: v1\n`;
  return cat([
    shape ? schema(shape) : typeItem('object'),
    field(SCHEMA.description, kind),
    field(SCHEMA.vendorExtension, named('x-kubernetes-group-version-kind', field(2, gvk))),
  ]);
}

export function openApiV2Protobuf(stores: readonly ResourceStore[]): Buffer {
  const definitions = cat(stores.map((s) => field(1, named(`io.k8s.api.core.v1.${s.kind}`, kindSchema(s.kind)))));
  return cat([field(1, '2.0'), field(2, cat([field(1, 'Kubernetes'), field(2, KUBE_GIT_VERSION)])), field(8, Buffer.alloc(0)), field(9, definitions)]);
}
