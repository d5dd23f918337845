// What the proxy programs, as kube-proxy derives it: each Service port with a cluster IP, and the ready
// endpoints of the Service's EndpointSlices that carry a port of the same name and protocol.
import type { ProxyEndpoint, ProxyProtocol, ProxyServicePort } from '../host/network/service-rules.js';
import { DEFAULT_AFFINITY_SECONDS, SERVICE_NAME_LABEL, hasNodePorts, type EndpointSlice, type Service } from '../kube/service-types.js';
import { compareStrings } from '../common/compare.js';

/** Slices by "namespace/service". */
export function slicesByService(slices: readonly EndpointSlice[]): Map<string, EndpointSlice[]> {
  const out = new Map<string, EndpointSlice[]>();
  for (const slice of slices) {
    const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (service === undefined) continue;
    const key = `${slice.metadata.namespace ?? 'default'}/${service}`;
    out.set(key, [...(out.get(key) ?? []), slice]);
  }
  return out;
}

/** Ready endpoints (kube-proxy treats an absent `ready` as ready) for the port named `portName`. */
export function readyEndpoints(slices: readonly EndpointSlice[], portName: string, protocol: string): ProxyEndpoint[] {
  const seen = new Set<string>();
  const out: ProxyEndpoint[] = [];
  for (const slice of slices) {
    const port = slice.ports.find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol)?.port;
    if (port === undefined) continue;
    for (const e of slice.endpoints) {
      if (e.conditions.ready === false) continue;
      for (const ip of e.addresses) {
        if (seen.has(`${ip}:${port}`)) continue;
        seen.add(`${ip}:${port}`);
        out.push({ ip, port });
      }
    }
  }
  return out.sort((a, b) => compareStrings(a.ip, b.ip) || a.port - b.port);
}

export function proxyPorts(services: readonly Service[], slices: readonly EndpointSlice[]): ProxyServicePort[] {
  const byService = slicesByService(slices);
  const out: ProxyServicePort[] = [];
  for (const svc of services) {
    const clusterIP = svc.spec.clusterIP;
    if (svc.spec.type === 'ExternalName' || clusterIP === undefined || clusterIP === '' || clusterIP === 'None') continue;
    const key = `${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`;
    const affinity =
      svc.spec.sessionAffinity === 'ClientIP' ? (svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS) : undefined;
    for (const p of svc.spec.ports ?? []) {
      const protocol = p.protocol ?? 'TCP';
      out.push({
        service: key,
        portName: p.name ?? '',
        protocol: protocol.toLowerCase() as ProxyProtocol,
        clusterIP,
        port: p.port,
        ...(hasNodePorts(svc) && p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
        ...(affinity !== undefined ? { affinitySeconds: affinity } : {}),
        endpoints: readyEndpoints(byService.get(key) ?? [], p.name ?? '', protocol),
      });
    }
  }
  return out;
}
