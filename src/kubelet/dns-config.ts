// A pod's resolv.conf settings, computed as the kubelet computes them (pkg/kubelet/network/dns/dns.go
// GetPodDNS) and handed to the runtime as the CRI's DNSConfig:
//   ClusterFirst (not hostNetwork) and ClusterFirstWithHostNet: the cluster DNS as the nameserver,
//     search <ns>.svc.<domain> svc.<domain> <domain> + the host's searches, options ndots:5;
//     without a cluster DNS the kubelet falls back to Default;
//   Default (and ClusterFirst with hostNetwork): the host's resolv.conf;
//   None: only spec.dnsConfig.
// spec.dnsConfig is then appended (nameservers and searches deduplicated, options merged by name, the
// pod's winning), and the result trimmed to the resolver's limits (3 nameservers, 32 searches).
import type { Pod } from '../kube/types.js';
import type { DnsConfig } from '../runtime/types.js';

export interface ClusterDnsSettings {
  /** The cluster DNS server addresses; [] when none runs (ClusterFirst then falls back to Default). */
  readonly servers: readonly string[];
  readonly domain: string;
  /** The host's resolv.conf text (the kubelet's --resolv-conf). */
  readonly hostResolvConf: string;
}

const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;
const MAX_SEARCH_CHARS = 2048;
/** The kubelet's options for ClusterFirst pods: names with fewer than 5 dots try the search list first. */
const CLUSTER_FIRST_OPTIONS = ['ndots:5'];

export interface ParsedResolvConf {
  readonly servers: string[];
  readonly searches: string[];
  readonly options: string[];
}

export function parseResolvConf(text: string): ParsedResolvConf {
  const out: ParsedResolvConf = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const fields = raw
      .replace(/[#;].*$/, '')
      .trim()
      .split(/\s+/);
    const [key, ...rest] = fields;
    if (key === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    // The last search (or domain) line wins, as in the resolver.
    else if (key === 'search' || key === 'domain') out.searches.splice(0, out.searches.length, ...rest.filter((s) => s !== '' && s !== '.'));
    else if (key === 'options') out.options.push(...rest.filter((o) => o !== ''));
  }
  return out;
}

const unique = (items: readonly string[]): string[] => [...new Set(items)];

function mergeOptions(base: readonly string[], pod: readonly string[]): string[] {
  const byName = new Map<string, string>();
  for (const o of [...base, ...pod]) byName.set(o.split(':')[0] ?? o, o);
  return [...byName.values()];
}

type DnsType = 'cluster' | 'host' | 'none';

function dnsType(pod: Pod, cluster: ClusterDnsSettings): DnsType {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'None') return 'none';
  const wantsCluster = policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && pod.spec.hostNetwork !== true);
  return wantsCluster && cluster.servers.length > 0 ? 'cluster' : 'host';
}

/**
 * The pod's DNS config, or undefined for "the host's resolv.conf as it is" (Default without dnsConfig),
 * which the runtime copies minus loopback nameservers a pod network cannot reach.
 */
export function podDnsConfig(pod: Pod, cluster: ClusterDnsSettings): DnsConfig | undefined {
  const type = dnsType(pod, cluster);
  const podConfig = pod.spec.dnsConfig;
  if (type === 'host' && podConfig === undefined) return undefined;
  const host = parseResolvConf(cluster.hostResolvConf);
  const ownNetwork = pod.spec.hostNetwork !== true;
  let base: ParsedResolvConf = { servers: [], searches: [], options: [] };
  if (type === 'cluster') {
    const ns = pod.metadata.namespace ?? 'default';
    const d = cluster.domain;
    base = { servers: [...cluster.servers], searches: unique([`${ns}.svc.${d}`, `svc.${d}`, d, ...host.searches]), options: [...CLUSTER_FIRST_OPTIONS] };
  } else if (type === 'host') base = { ...host, servers: host.servers.filter((s) => !(ownNetwork && /^(127\.|::1$)/.test(s))) };
  const servers = unique([...base.servers, ...(podConfig?.nameservers ?? [])]).slice(0, MAX_NAMESERVERS);
  let searches = unique([...base.searches, ...(podConfig?.searches ?? [])]).slice(0, MAX_SEARCHES);
  while (searches.join(' ').length > MAX_SEARCH_CHARS) searches = searches.slice(0, -1);
  const podOptions = (podConfig?.options ?? []).map((o) => (o.value === undefined ? o.name : `${o.name}:${o.value}`));
  return { servers, searches, options: mergeOptions(base.options, podOptions) };
}
