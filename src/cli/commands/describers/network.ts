// kubectl describe service (k8s.io/kubectl/pkg/describe ServiceDescriber): selector, type, IPs, and per
// port its target, NodePort and ready endpoints (from the Service's EndpointSlices), session affinity.
import type { ObjectDescribeResult } from '../../../api/routes/objects.js';
import type { EndpointSlice, Service, ServicePort } from '../../../kube/service-types.js';
import { field } from './format.js';

const MAX_ENDPOINTS_SHOWN = 3;

/** field(), with kubectl's two spaces after a name too long for the common column ("External Traffic Policy:"). */
const line = (name: string, value: string): string => (name.length >= 23 ? `${name}:  ${value}` : field(name, value));

function endpointsOf(slices: readonly EndpointSlice[], port: ServicePort): string {
  const name = port.name ?? '';
  const addresses: string[] = [];
  for (const slice of slices) {
    const p = slice.ports.find((sp) => (sp.name ?? '') === name && (sp.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
    if (p?.port === undefined) continue;
    for (const e of slice.endpoints) if (e.conditions.ready !== false) for (const ip of e.addresses) addresses.push(`${ip}:${p.port}`);
  }
  if (addresses.length === 0) return '<none>';
  const shown = addresses.slice(0, MAX_ENDPOINTS_SHOWN).join(',');
  return addresses.length > MAX_ENDPOINTS_SHOWN ? `${shown} + ${addresses.length - MAX_ENDPOINTS_SHOWN} more...` : shown;
}

export function describeService(result: ObjectDescribeResult): string[] {
  const svc = result.object as Service;
  const spec = svc.spec;
  const slices = result.owned.filter((o): o is EndpointSlice => o.kind === 'EndpointSlice');
  const selector = Object.entries(spec.selector ?? {}).map(([k, v]) => `${k}=${v}`);
  const lines = [field('Selector', selector.join(',')), field('Type', spec.type ?? 'ClusterIP')];
  if (spec.type !== 'ExternalName') {
    lines.push(field('IP Family Policy', spec.ipFamilyPolicy ?? 'SingleStack'), field('IP Families', (spec.ipFamilies ?? ['IPv4']).join(',')));
    lines.push(field('IP', spec.clusterIP ?? '<none>'), field('IPs', (spec.clusterIPs ?? [spec.clusterIP ?? '<none>']).join(',')));
  } else lines.push(field('External Name', spec.externalName ?? ''));
  for (const p of spec.ports ?? []) {
    const name = p.name ?? '<unset>';
    const protocol = p.protocol ?? 'TCP';
    lines.push(field('Port', `${name}  ${p.port}/${protocol}`));
    lines.push(field('TargetPort', `${String(p.targetPort ?? p.port)}/${protocol}`));
    if (p.nodePort !== undefined) lines.push(field('NodePort', `${name}  ${p.nodePort}/${protocol}`));
    lines.push(field('Endpoints', endpointsOf(slices, p)));
  }
  lines.push(field('Session Affinity', spec.sessionAffinity ?? 'None'));
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') lines.push(line('External Traffic Policy', spec.externalTrafficPolicy ?? 'Cluster'));
  lines.push(line('Internal Traffic Policy', spec.internalTrafficPolicy ?? 'Cluster'));
  return lines;
}
