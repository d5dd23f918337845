// The endpoints a headless Service's DNS names list: ready ones (CoreDNS skips not-ready addresses unless
// the Service publishes them), with their hostname and the slice's ports.
import type { EndpointSlice } from '../kube/service-types.js';
import { compareStrings } from '../common/compare.js';

export interface DnsEndpoint {
  readonly ip: string;
  readonly hostname?: string;
  readonly ports: readonly { readonly name: string; readonly port: number; readonly protocol: string }[];
}

export function readyEndpointsForDns(slices: readonly EndpointSlice[], publishNotReady: boolean): DnsEndpoint[] {
  const out: DnsEndpoint[] = [];
  for (const slice of slices) {
    const ports = slice.ports.flatMap((p) => (p.port === undefined ? [] : [{ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' }]));
    for (const e of slice.endpoints) {
      if (!publishNotReady && e.conditions.ready === false) continue;
      for (const ip of e.addresses) out.push({ ip, ...(e.hostname !== undefined ? { hostname: e.hostname } : {}), ports });
    }
  }
  return out.sort((a, b) => compareStrings(a.ip, b.ip));
}
