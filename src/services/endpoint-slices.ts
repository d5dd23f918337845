// The EndpointSlice controller's reconciliation for one Service (pkg/controller/endpointslice): the pods its
// selector picks that have an IP and are not finished, each an endpoint with the conditions kube-proxy and
// DNS read (ready = Ready and not terminating, serving = Ready, terminating = deletion requested), its
// targetRef, and a hostname when the pod's subdomain names this Service. A named targetPort is resolved in
// each pod, so pods that resolve the Service's ports differently land in different slices, as upstream.
import { createHash } from 'node:crypto';
import type { Pod } from '../kube/types.js';
import {
  ENDPOINTSLICE_CONTROLLER,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  type Endpoint,
  type EndpointPort,
  type EndpointSlice,
  type Service,
  type ServicePort,
} from '../kube/service-types.js';
import { compareStrings } from '../common/compare.js';

export interface EndpointPod {
  readonly pod: Pod;
  /** Deletion was requested (the pod's deletionTimestamp). */
  readonly terminating: boolean;
}

export function selectorMatches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** FindPort: a number is itself; a name is the pod's container port of that name and protocol. */
export function resolveTargetPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  const protocol = port.protocol ?? 'TCP';
  for (const c of pod.spec.containers) for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  return undefined;
}

function endpointFor(service: Service, ep: EndpointPod, ip: string): Endpoint {
  const { pod } = ep;
  const namespace = pod.metadata.namespace ?? 'default';
  const publish = service.spec.publishNotReadyAddresses === true;
  const ready = publish || (isPodReady(pod) && !ep.terminating);
  const serving = publish || isPodReady(pod);
  const hostname = pod.spec.hostname !== undefined && pod.spec.subdomain === service.metadata.name ? pod.spec.hostname : undefined;
  return {
    addresses: [ip],
    conditions: { ready, serving, terminating: ep.terminating },
    ...(hostname !== undefined ? { hostname } : {}),
    ...(pod.spec.nodeName !== undefined ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace, name: pod.metadata.name, uid: pod.metadata.uid ?? '' },
  };
}

/** The slices the Service should have, sorted by name; [] for a Service without a selector. */
export function desiredEndpointSlices(service: Service, pods: readonly EndpointPod[]): EndpointSlice[] {
  const selector = service.spec.selector;
  if (selector === undefined || service.spec.type === 'ExternalName') return [];
  const namespace = service.metadata.namespace ?? 'default';
  const groups = new Map<string, { ports: EndpointPort[]; endpoints: Endpoint[] }>();
  for (const ep of pods) {
    const { pod } = ep;
    const ip = pod.status?.podIP;
    if ((pod.metadata.namespace ?? 'default') !== namespace || !selectorMatches(selector, pod.metadata.labels)) continue;
    if (ip === undefined || ip === '' || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    const ports: EndpointPort[] = [];
    for (const sp of service.spec.ports ?? []) {
      const port = resolveTargetPort(pod, sp);
      if (port === undefined) continue;
      ports.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    const key = JSON.stringify(ports);
    const group = groups.get(key) ?? { ports, endpoints: [] };
    group.endpoints.push(endpointFor(service, ep, ip));
    groups.set(key, group);
  }
  // A Service that selects nothing still gets one empty slice, as upstream keeps a placeholder.
  if (groups.size === 0) groups.set('[]', { ports: [], endpoints: [] });
  return [...groups.entries()].map(([key, g]) => sliceOf(service, key, g.ports, g.endpoints)).sort((a, b) => compareStrings(a.metadata.name, b.metadata.name));
}

function sliceOf(service: Service, key: string, ports: EndpointPort[], endpoints: Endpoint[]): EndpointSlice {
  const name = `${service.metadata.name.slice(0, 57)}-${createHash('sha256').update(key).digest('hex').slice(0, 5)}`;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: service.metadata.namespace ?? 'default',
      labels: { [SERVICE_NAME_LABEL]: service.metadata.name, [MANAGED_BY_LABEL]: ENDPOINTSLICE_CONTROLLER },
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Service', name: service.metadata.name, uid: service.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
      ],
    },
    addressType: 'IPv4',
    endpoints: [...endpoints].sort((a, b) => compareStrings(a.targetRef?.name ?? '', b.targetRef?.name ?? '')),
    ports,
  };
}
