// OpenAPI v3 for the served kinds, generated from the kube layer's structural schema (the one `peapod
// apply` validates with), so `kubectl explain` and kubectl's check that the server does field validation
// (a PATCH operation per kind listing the fieldValidation query parameter) read the same truth.
import { CONFIGMAP_SHAPE, POD_SHAPE, SECRET_SHAPE, type Shape } from '../kube/schema.js';
import { KUBE_GIT_VERSION } from './discovery.js';
import type { ResourceStore } from './resource.js';

type Schema = Record<string, unknown>;

function toSchema(shape: Shape): Schema {
  switch (shape.t) {
    case 'string':
      return { type: 'string' };
    case 'int':
      return { type: 'integer', format: 'int64', ...(shape.min !== undefined ? { minimum: shape.min } : {}) };
    case 'bool':
      return { type: 'boolean' };
    case 'intOrString':
      return { 'x-kubernetes-int-or-string': true };
    case 'any':
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    case 'arr':
      return { type: 'array', items: toSchema(shape.of) };
    case 'map':
      return { type: 'object', additionalProperties: toSchema(shape.of) };
    case 'obj':
      return {
        type: 'object',
        properties: Object.fromEntries(Object.entries(shape.f).map(([k, v]) => [k, toSchema(v)])),
        ...(shape.required && shape.required.length > 0 ? { required: [...shape.required] } : {}),
      };
  }
}

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  Pod: 'Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.',
  ConfigMap: 'ConfigMap holds configuration data for pods to consume.',
  Secret: 'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.',
  Node: 'Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).',
  Namespace: 'Namespace provides a scope for Names. Use of multiple namespaces is optional.',
  Event: 'Event is a report of an event somewhere in the cluster.',
};

function kindSchema(kind: string): Schema {
  const shape = kind === 'Pod' ? POD_SHAPE : kind === 'ConfigMap' ? CONFIGMAP_SHAPE : kind === 'Secret' ? SECRET_SHAPE : undefined;
  const base: Schema = shape ? toSchema(shape) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return { ...base, description: DESCRIPTIONS[kind] ?? kind, 'x-kubernetes-group-version-kind': [{ group: '', kind, version: 'v1' }] };
}

const QUERY = (name: string): Schema => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });

function operations(store: ResourceStore): Record<string, Schema> {
  const gvk = { group: '', version: 'v1', kind: store.kind };
  const ref = { $ref: `#/components/schemas/io.k8s.api.core.v1.${store.kind}` };
  const ok = { responses: { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } } };
  const base = store.namespaced ? `/api/v1/namespaces/{namespace}/${store.resource}` : `/api/v1/${store.resource}`;
  const write = (action: string): Schema => ({
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    parameters: [QUERY('dryRun'), QUERY('fieldManager'), QUERY('fieldValidation')],
    ...ok,
  });
  return {
    [base]: {
      get: { 'x-kubernetes-action': 'list', 'x-kubernetes-group-version-kind': gvk, ...ok },
      ...(store.verbs.includes('create') ? { post: write('post') } : {}),
    },
    [`${base}/{name}`]: {
      get: { 'x-kubernetes-action': 'get', 'x-kubernetes-group-version-kind': gvk, ...ok },
      ...(store.verbs.includes('update') ? { put: write('put') } : {}),
      ...(store.verbs.includes('patch')
        ? { patch: { ...write('patch'), parameters: [QUERY('dryRun'), QUERY('fieldManager'), QUERY('fieldValidation'), QUERY('force')] } }
        : {}),
      ...(store.verbs.includes('delete') ? { delete: { 'x-kubernetes-action': 'delete', 'x-kubernetes-group-version-kind': gvk, ...ok } } : {}),
    },
  };
}

export function openApiV3CoreV1(stores: readonly ResourceStore[]): Schema {
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBE_GIT_VERSION },
    paths: Object.assign({}, ...stores.map(operations)) as Schema,
    components: { schemas: Object.fromEntries(stores.map((s) => [`io.k8s.api.core.v1.${s.kind}`, kindSchema(s.kind)])) },
  };
}

/** The discovery document of /openapi/v3: one group-version, core/v1. */
export function openApiRoot(): Schema {
  return { paths: { 'api/v1': { serverRelativeURL: `/openapi/v3/api/v1?hash=${encodeURIComponent(KUBE_GIT_VERSION)}` } } };
}
