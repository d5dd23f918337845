// v1 Service and discovery.k8s.io/v1 EndpointSlice: shapes, the API server's checks (validate-service.ts;
// cluster IP and NodePort allocation is the store's admission, services/admission.ts) and kubectl's columns.
import { SHAPES, type Finding } from '../schema.js';
import { validateServiceName, validateServiceSpec } from '../validate-service.js';
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
  validate: (value, errors) => {
    validateServiceName(isRecord(value['metadata']) ? value['metadata']['name'] : undefined, errors);
    validateServiceSpec(value['spec'], errors);
  },
  defaults: (object) => {
    const spec = specOf(object);
    return { ...object, spec: { ...spec, type: spec['type'] ?? 'ClusterIP', sessionAffinity: spec['sessionAffinity'] ?? 'None' } };
  },
  columns: [
    { header: 'TYPE', value: (o) => text(specOf(o)['type'], 'ClusterIP') },
    { header: 'CLUSTER-IP', value: (o) => text(specOf(o)['clusterIP'], '') || '<none>' },
    { header: 'EXTERNAL-IP', value: externalIp },
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
  validate: validateEndpointSlice,
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

/** kubectl's EXTERNAL-IP: externalIPs, a LoadBalancer's ingress (or <pending>), an ExternalName's name, else <none>. */
function externalIp(o: ApiObject): string {
  const spec = specOf(o);
  if (spec['type'] === 'ExternalName') return text(spec['externalName'], '<none>');
  const ips = Array.isArray(spec['externalIPs']) ? (spec['externalIPs'] as unknown[]).map((ip) => text(ip)) : [];
  if (spec['type'] === 'LoadBalancer') {
    const status = isRecord(o.status) && isRecord(o.status['loadBalancer']) ? o.status['loadBalancer'] : {};
    const ingress = list(status['ingress']).map((i) => text(i['ip'], text(i['hostname'])));
    return [...ingress, ...ips].join(',') || '<pending>';
  }
  return ips.join(',') || '<none>';
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** discovery/v1 validation, for slices applied by hand (the controller writes valid ones): IPv4 only here. */
function validateEndpointSlice(value: Record<string, unknown>, errors: Finding[]): void {
  if (value['addressType'] !== 'IPv4')
    errors.push({
      path: 'addressType',
      message: `Unsupported value: ${JSON.stringify(value['addressType'])}: supported values: "IPv4" (peapod's pod network is IPv4 only)`,
    });
  list(value['endpoints']).forEach((e, i) => {
    const addresses = Array.isArray(e['addresses']) ? (e['addresses'] as unknown[]) : [];
    if (addresses.length !== 1) errors.push({ path: `endpoints[${i}].addresses`, message: 'Invalid value: must contain exactly one address' });
    addresses.forEach((a, j) => {
      if (typeof a !== 'string' || !IPV4.test(a))
        errors.push({ path: `endpoints[${i}].addresses[${j}]`, message: `Invalid value: ${JSON.stringify(a)}: must be a valid IPv4 address` });
    });
  });
  list(value['ports']).forEach((p, i) => {
    const port = p['port'];
    if (port !== undefined && !(typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535))
      errors.push({ path: `ports[${i}].port`, message: `Invalid value: ${JSON.stringify(port)}: must be between 1 and 65535, inclusive` });
  });
}
