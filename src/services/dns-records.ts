// The cluster DNS zone as the Kubernetes DNS specification defines it (and CoreDNS's kubernetes plugin
// serves it), built from Services and their EndpointSlices:
//   <svc>.<ns>.svc.<zone>            A: the cluster IP; headless: every ready endpoint's address
//   <host>.<svc>.<ns>.svc.<zone>     A: a headless endpoint by its hostname (a pod's hostname + subdomain),
//                                       or by its dashed address (10-1-2-3) when it has none
//   _<port>._<proto>.<svc>.<ns>.svc.<zone>  SRV per named port (headless: one per endpoint)
//   an ExternalName Service          CNAME
//   PTR for cluster IPs and headless endpoint addresses.
// Names under the zone that exist only as parents (<ns>.svc.<zone>) answer NOERROR without data; any other
// name under the zone is NXDOMAIN; names outside it are not ours (the server forwards them).
import { SERVICE_NAME_LABEL, type EndpointSlice, type Service } from '../kube/service-types.js';
import { readyEndpointsForDns } from './dns-endpoints.js';

export const CLUSTER_DOMAIN = 'cluster.local';
/** CoreDNS's kubernetes plugin default TTL. */
export const DNS_TTL_SECONDS = 5;

export type RecordType = 'A' | 'SRV' | 'CNAME' | 'PTR' | 'SOA';

export interface SrvData {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly target: string;
}

export interface DnsRecord {
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  readonly data: string | SrvData | Readonly<Record<string, string | number>>;
}

export interface ZoneAnswer {
  readonly rcode: 'NOERROR' | 'NXDOMAIN';
  readonly answers: readonly DnsRecord[];
  readonly additionals: readonly DnsRecord[];
  /** The zone's SOA on a negative answer, so resolvers cache it for its minimum TTL. */
  readonly authorities: readonly DnsRecord[];
}

interface NameRecords {
  a: string[];
  srv: SrvData[];
  cname?: string;
  ptr?: string;
}

const norm = (name: string): string => name.toLowerCase().replace(/\.$/, '');

export function reverseName(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}

export class ClusterDnsZone {
  private readonly names = new Map<string, NameRecords>();
  private readonly parents = new Set<string>();

  constructor(
    services: readonly Service[],
    slices: readonly EndpointSlice[],
    readonly domain: string = CLUSTER_DOMAIN,
  ) {
    for (const svc of services) this.addService(svc, slices);
  }

  /** The zone's answer for a name under it or a PTR it holds; undefined: not ours, forward it. */
  lookup(qname: string, qtype: string): ZoneAnswer | undefined {
    const name = norm(qname);
    const inZone = name === this.domain || name.endsWith(`.${this.domain}`);
    const records = this.names.get(name);
    if (!inZone && records?.ptr === undefined) return undefined;
    const soa = [this.soa()];
    if (records === undefined) {
      if (name === this.domain && qtype === 'SOA') return { rcode: 'NOERROR', answers: soa, additionals: [], authorities: [] };
      return this.parents.has(name) || name === this.domain
        ? { rcode: 'NOERROR', answers: [], additionals: [], authorities: soa }
        : { rcode: 'NXDOMAIN', answers: [], additionals: [], authorities: soa };
    }
    const answers = this.answersFor(name, records, qtype);
    const additionals = qtype === 'SRV' ? records.srv.flatMap((s) => (this.names.get(s.target)?.a ?? []).map((ip) => this.rr(s.target, 'A', ip))) : [];
    return { rcode: 'NOERROR', answers, additionals, authorities: answers.length === 0 ? soa : [] };
  }

  /** Every name the zone holds data for (for tests and `describe`). */
  recordNames(): string[] {
    return [...this.names.keys()].sort();
  }

  private answersFor(name: string, records: NameRecords, qtype: string): DnsRecord[] {
    const any = qtype === 'ANY';
    if (records.cname !== undefined && qtype !== 'CNAME') {
      const target = this.names.get(records.cname);
      return [this.rr(name, 'CNAME', records.cname), ...(qtype === 'A' || any ? (target?.a ?? []).map((ip) => this.rr(records.cname as string, 'A', ip)) : [])];
    }
    const out: DnsRecord[] = [];
    if (qtype === 'CNAME' && records.cname !== undefined) out.push(this.rr(name, 'CNAME', records.cname));
    if (qtype === 'A' || any) out.push(...records.a.map((ip) => this.rr(name, 'A', ip)));
    if (qtype === 'SRV' || any) out.push(...records.srv.map((s) => this.rr(name, 'SRV', s)));
    if ((qtype === 'PTR' || any) && records.ptr !== undefined) out.push(this.rr(name, 'PTR', records.ptr));
    return out;
  }

  private rr(name: string, type: RecordType, data: DnsRecord['data']): DnsRecord {
    return { name, type, ttl: DNS_TTL_SECONDS, data };
  }

  private soa(): DnsRecord {
    return {
      name: this.domain,
      type: 'SOA',
      ttl: DNS_TTL_SECONDS,
      data: {
        mname: `ns.dns.${this.domain}`,
        rname: `hostmaster.${this.domain}`,
        serial: 1,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: DNS_TTL_SECONDS,
      },
    };
  }

  private entry(name: string): NameRecords {
    const key = norm(name);
    let records = this.names.get(key);
    if (!records) {
      records = { a: [], srv: [] };
      this.names.set(key, records);
      // Every ancestor down to the zone exists (an empty non-terminal answers NOERROR, not NXDOMAIN).
      const labels = key.split('.');
      for (let i = 1; i < labels.length; i++) this.parents.add(labels.slice(i).join('.'));
    }
    return records;
  }

  private addService(svc: Service, slices: readonly EndpointSlice[]): void {
    const ns = svc.metadata.namespace ?? 'default';
    const fqdn = `${svc.metadata.name}.${ns}.svc.${this.domain}`;
    if (svc.spec.type === 'ExternalName') {
      if (svc.spec.externalName) this.entry(fqdn).cname = norm(svc.spec.externalName);
      return;
    }
    const clusterIP = svc.spec.clusterIP;
    const own = slices.filter((s) => (s.metadata.namespace ?? 'default') === ns && s.metadata.labels?.[SERVICE_NAME_LABEL] === svc.metadata.name);
    if (clusterIP !== undefined && clusterIP !== '' && clusterIP !== 'None') {
      this.entry(fqdn).a.push(clusterIP);
      this.entry(reverseName(clusterIP)).ptr = fqdn;
      for (const p of svc.spec.ports ?? [])
        if (p.name) this.entry(`_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${fqdn}`).srv.push({ priority: 0, weight: 100, port: p.port, target: fqdn });
      return;
    }
    if (clusterIP !== 'None') return; // not admitted yet: no address to give out
    const service = this.entry(fqdn);
    for (const ep of readyEndpointsForDns(own, svc.spec.publishNotReadyAddresses === true)) {
      const host = `${ep.hostname ?? ep.ip.replace(/\./g, '-')}.${fqdn}`;
      if (!service.a.includes(ep.ip)) service.a.push(ep.ip);
      if (!this.entry(host).a.includes(ep.ip)) this.entry(host).a.push(ep.ip);
      this.entry(reverseName(ep.ip)).ptr ??= host;
      for (const p of ep.ports)
        if (p.name) this.entry(`_${p.name}._${p.protocol.toLowerCase()}.${fqdn}`).srv.push({ priority: 0, weight: 100, port: p.port, target: norm(host) });
    }
  }
}
