// v1 Service and discovery.k8s.io/v1 EndpointSlice. The base's shapes and columns: the wl-services work
// owns this file and fills in the rules (ports, clusterIP allocation, types, ...).
import { SHAPES } from '../schema.js';
import { isRecord, text, type ApiObject, type KindInfo } from './kind.js';

const { str, int, bool, obj, arr, any, strMap, strArr, intOrString, metadata } = SHAPES;

const specOf = (o: ApiObject): Record<string, unknown> => (isRecord(o.spec) ? o.spec : {});
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);

const SERVICE_PORT = obj({ name: str, protocol: str, appProtocol: str, port: int, targetPort: intOrString, nodePort: int }, ['port']);

export const SERVICE_KIND: KindInfo = {
  kind: 'Service',
  apiVersion: 'v1',
  plural: 'services',
  singular: 'service',
  shortNames: ['svc'],
  namespaced: true,
  applyOrder: 40,
  shape: obj(
    {
      apiVersion: str,
      kind: str,
      metadata,
      spec: obj({
        type: str,
        selector: strMap,
        ports: arr(SERVICE_PORT),
        clusterIP: str,
        clusterIPs: strArr,
        ipFamilies: strArr,
        ipFamilyPolicy: str,
        externalIPs: strArr,
        externalName: str,
        externalTrafficPolicy: str,
        internalTrafficPolicy: str,
        sessionAffinity: str,
        sessionAffinityConfig: any,
        publishNotReadyAddresses: bool,
        loadBalancerIP: str,
        loadBalancerSourceRanges: strArr,
        allocateLoadBalancerNodePorts: bool,
        healthCheckNodePort: int,
        loadBalancerClass: str,
        trafficDistribution: str,
      }),
      status: any,
    },
    ['metadata', 'spec'],
  ),
  validate: () => undefined,
  defaults: (object) => {
    const spec = specOf(object);
    return { ...object, spec: { ...spec, type: spec['type'] ?? 'ClusterIP', sessionAffinity: spec['sessionAffinity'] ?? 'None' } };
  },
  columns: [
    { header: 'TYPE', value: (o) => text(specOf(o)['type'], 'ClusterIP') },
    { header: 'CLUSTER-IP', value: (o) => text(specOf(o)['clusterIP'], '<none>') },
    { header: 'EXTERNAL-IP', value: (o) => (Array.isArray(specOf(o)['externalIPs']) ? (specOf(o)['externalIPs'] as string[]).join(',') : '<none>') },
    {
      header: 'PORT(S)',
      value: (o) =>
        list(specOf(o)['ports'])
          .map((p) => `${text(p['port'])}${p['nodePort'] !== undefined ? `:${text(p['nodePort'])}` : ''}/${text(p['protocol'], 'TCP')}`)
          .join(',') || '<none>',
    },
  ],
  wideColumns: [
    {
      header: 'SELECTOR',
      value: (o) =>
        Object.entries((specOf(o)['selector'] ?? {}) as Record<string, string>)
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || '<none>',
    },
  ],
};

export const ENDPOINTSLICE_KIND: KindInfo = {
  kind: 'EndpointSlice',
  apiVersion: 'discovery.k8s.io/v1',
  plural: 'endpointslices',
  singular: 'endpointslice',
  shortNames: [],
  namespaced: true,
  applyOrder: 41,
  shape: obj({ apiVersion: str, kind: str, metadata, addressType: str, endpoints: arr(any), ports: arr(any) }, ['metadata', 'addressType']),
  validate: () => undefined,
  defaults: (object) => object,
  specFields: ['addressType', 'endpoints', 'ports'],
  columns: [
    { header: 'ADDRESSTYPE', value: (o) => text(o['addressType'], '') },
    {
      header: 'PORTS',
      value: (o) =>
        list(o['ports'])
          .map((p) => text(p['port'], ''))
          .join(',') || '<unset>',
    },
    {
      header: 'ENDPOINTS',
      value: (o) => {
        const addresses = list(o['endpoints']).flatMap((e) => (Array.isArray(e['addresses']) ? (e['addresses'] as string[]) : []));
        if (addresses.length === 0) return '<unset>';
        return addresses.length > 3 ? `${addresses.slice(0, 3).join(',')} + ${addresses.length - 3} more...` : addresses.join(',');
      },
    },
  ],
};
