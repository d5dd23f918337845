// The Service proxy's iptables rules, rendered as one iptables-restore batch the way kube-proxy's iptables
// mode lays them out (pkg/proxy/iptables/proxier.go): a services chain entered from PREROUTING and OUTPUT
// matches each cluster IP:port and jumps to the port's chain, which picks one endpoint chain with
// `-m statistic --mode random --probability 1/(n-i)` (so each of n endpoints gets 1/n of new connections);
// the endpoint chain marks hairpin traffic (a pod reaching itself) for masquerade and DNATs. NodePorts
// hang off the end of the services chain for local destination addresses. Chains carry the bridge's
// name, so each peapod instance (and each test root) owns a disjoint set and never touches another's.
import { createHash } from 'node:crypto';
import { compareStrings } from '../../common/compare.js';

export type ProxyProtocol = 'tcp' | 'udp' | 'sctp';

export interface ProxyEndpoint {
  readonly ip: string;
  readonly port: number;
}

export interface ProxyServicePort {
  /** "namespace/name". */
  readonly service: string;
  /** The Service port's name ('' when it has none). */
  readonly portName: string;
  readonly protocol: ProxyProtocol;
  /** The cluster IP; undefined for a headless Service (nothing to proxy). */
  readonly clusterIP: string | undefined;
  readonly port: number;
  readonly nodePort?: number;
  /** sessionAffinity ClientIP: stickiness in seconds; undefined for None. */
  readonly affinitySeconds?: number;
  /** Ready endpoints only: a not-ready pod gets no new connections. */
  readonly endpoints: readonly ProxyEndpoint[];
}

export interface ProxyChains {
  readonly services: string;
  readonly nodePorts: string;
  readonly postrouting: string;
  readonly mark: string;
  readonly filter: string;
  /** Prefixes of the per-port and per-endpoint chains. */
  readonly servicePrefix: string;
  readonly endpointPrefix: string;
}

/** The mark kube-proxy uses for "masquerade this" (its masqueradeBit 14). */
export const MASQ_MARK = '0x4000';

export function proxyChains(bridge: string): ProxyChains {
  return {
    services: `PPSVC-${bridge}`,
    nodePorts: `PPNP-${bridge}`,
    postrouting: `PPPOST-${bridge}`,
    mark: `PPMARK-${bridge}`,
    filter: `PPFW-${bridge}`,
    servicePrefix: `PPS-${bridge}-`,
    endpointPrefix: `PPE-${bridge}-`,
  };
}

/** Every chain name this instance can own starts with one of these. */
export function ownedChainPrefixes(bridge: string): string[] {
  const c = proxyChains(bridge);
  return [c.services, c.nodePorts, c.postrouting, c.mark, c.filter, c.servicePrefix, c.endpointPrefix];
}

function hash8(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8).toUpperCase();
}

function portLabel(p: ProxyServicePort): string {
  return p.portName === '' ? p.service : `${p.service}:${p.portName}`;
}

export function servicePortChain(chains: ProxyChains, p: ProxyServicePort): string {
  return chains.servicePrefix + hash8(`${p.service}:${p.portName}:${p.protocol}`);
}

export function endpointChain(chains: ProxyChains, p: ProxyServicePort, e: ProxyEndpoint): string {
  return chains.endpointPrefix + hash8(`${p.service}:${p.portName}:${p.protocol}:${e.ip}:${e.port}`);
}

export interface RenderInput {
  readonly bridge: string;
  /** The pod subnet: traffic to a cluster IP from outside it is masqueraded (kube-proxy's clusterCIDR rule). */
  readonly podSubnet: string;
  readonly ports: readonly ProxyServicePort[];
}

export interface RenderedRules {
  /** nat table lines (chain declarations and rules, no COMMIT). */
  readonly nat: string[];
  readonly filter: string[];
  /** Every chain the batch declares, for finding stale ones. */
  readonly chains: Set<string>;
}

const q = (text: string): string => `"${text.replace(/["\\]/g, '')}"`;

export function renderServiceRules(input: RenderInput): RenderedRules {
  const c = proxyChains(input.bridge);
  const chains = new Set([c.services, c.nodePorts, c.postrouting, c.mark]);
  const nat: string[] = [
    `-A ${c.postrouting} -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    // Cleared before masquerading, so a packet re-entering the stack is not masqueraded twice.
    `-A ${c.postrouting} -j MARK --xor-mark ${MASQ_MARK}`,
    `-A ${c.postrouting} -m comment --comment ${q('peapod service traffic requiring SNAT')} -j MASQUERADE --random-fully`,
    `-A ${c.mark} -j MARK --or-mark ${MASQ_MARK}`,
  ];
  const filter: string[] = [
    // route_localnet (set on our bridge for NodePorts on 127.0.0.1) would otherwise let a pod send to the
    // host's loopback services through the gateway (CVE-2020-8558); kube-proxy drops the same packets.
    `-A ${c.filter} -i ${input.bridge} -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -m comment --comment ${q('peapod block martian localnet')} -j DROP`,
  ];
  const nodePortRules: string[] = [];
  for (const p of [...input.ports].sort((a, b) => compareStrings(portLabel(a), portLabel(b)) || compareStrings(a.protocol, b.protocol))) {
    if (p.clusterIP === undefined) continue;
    const proto = `-p ${p.protocol} -m ${p.protocol}`;
    const label = portLabel(p);
    if (p.endpoints.length === 0) {
      filter.push(
        `-A ${c.filter} -d ${p.clusterIP}/32 ${proto} --dport ${p.port} -m conntrack --ctstate NEW -m comment --comment ${q(`${label} has no endpoints`)} -j REJECT`,
      );
      if (p.nodePort !== undefined)
        filter.push(
          `-A ${c.filter} -m addrtype --dst-type LOCAL ${proto} --dport ${p.nodePort} -m conntrack --ctstate NEW -m comment --comment ${q(`${label} has no endpoints`)} -j REJECT`,
        );
      continue;
    }
    const svcChain = servicePortChain(c, p);
    chains.add(svcChain);
    nat.push(`-A ${c.services} -d ${p.clusterIP}/32 ${proto} --dport ${p.port} -m comment --comment ${q(`${label} cluster IP`)} -j ${svcChain}`);
    nat.push(
      `-A ${svcChain} ! -s ${input.podSubnet} -d ${p.clusterIP}/32 ${proto} --dport ${p.port} -m comment --comment ${q(`${label} cluster IP`)} -j ${c.mark}`,
    );
    if (p.nodePort !== undefined) {
      nodePortRules.push(`-A ${c.nodePorts} ${proto} --dport ${p.nodePort} -m comment --comment ${q(label)} -j ${c.mark}`);
      nodePortRules.push(`-A ${c.nodePorts} ${proto} --dport ${p.nodePort} -m comment --comment ${q(label)} -j ${svcChain}`);
    }
    nat.push(...endpointRules(c, p, svcChain, chains));
  }
  nat.push(...nodePortRules);
  // Last, so cluster IPs are matched first: every local destination address is a NodePort candidate.
  nat.push(`-A ${c.services} -m addrtype --dst-type LOCAL -m comment --comment ${q('peapod service nodeports')} -j ${c.nodePorts}`);
  return { nat: [...[...chains].map((name) => `:${name} - [0:0]`), ...nat], filter: [`:${c.filter} - [0:0]`, ...filter], chains };
}

function endpointRules(c: ProxyChains, p: ProxyServicePort, svcChain: string, chains: Set<string>): string[] {
  const rules: string[] = [];
  const sepRules: string[] = [];
  const n = p.endpoints.length;
  const affinity = p.affinitySeconds;
  const sepChains = p.endpoints.map((e) => endpointChain(c, p, e));
  if (affinity !== undefined)
    sepChains.forEach((sep, i) => {
      const e = p.endpoints[i] as ProxyEndpoint;
      rules.push(
        `-A ${svcChain} -m comment --comment ${q(`${portLabel(p)} -> ${e.ip}:${e.port}`)} -m recent --name ${sep} --rcheck --seconds ${affinity} --reap -j ${sep}`,
      );
    });
  p.endpoints.forEach((e, i) => {
    const sep = sepChains[i] as string;
    chains.add(sep);
    const pick = i < n - 1 ? ` -m statistic --mode random --probability ${(1 / (n - i)).toFixed(10)}` : '';
    rules.push(`-A ${svcChain} -m comment --comment ${q(`${portLabel(p)} -> ${e.ip}:${e.port}`)}${pick} -j ${sep}`);
    // Hairpin: a pod reaching its own Service would get its reply from itself; masquerading makes the reply go back through us.
    sepRules.push(`-A ${sep} -s ${e.ip}/32 -m comment --comment ${q(portLabel(p))} -j ${c.mark}`);
    const recent = affinity === undefined ? '' : ` -m recent --name ${sep} --set`;
    sepRules.push(`-A ${sep} -p ${p.protocol} -m comment --comment ${q(portLabel(p))}${recent} -m ${p.protocol} -j DNAT --to-destination ${e.ip}:${e.port}`);
  });
  return [...rules, ...sepRules];
}
