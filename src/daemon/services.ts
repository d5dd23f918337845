// The daemon's Service machinery: the service range checked against the pod subnet, the pod bridge made
// with its gateway (where the cluster DNS listens, port 53), the proxy's dataplane and the DNS server.
// The DNS forwards to the host's resolvers as /etc/resolv.conf lists them at the daemon's start. A DNS
// server that cannot listen is a warning, not a stop: ClusterFirst pods then get the host's resolvers,
// as the kubelet does without a cluster DNS.
import { readFile } from 'node:fs/promises';
import { ENV_NAMES, type PeapodConfig } from '../common/config.js';
import { PeapodError, errorMessage } from '../common/errors.js';
import { cidrsOverlap, firstHostAddress, parseCidr } from '../common/ipv4.js';
import { ensureBridge, ensureBridgeNetfilter } from '../host/network/bridge.js';
import { createServiceProxy } from '../host/network/service-proxy.js';
import type { ClusterDnsSettings } from '../kubelet/dns-config.js';
import { ServiceDataplane, type ServiceState } from '../services/dataplane.js';
import { CLUSTER_DOMAIN } from '../services/dns-records.js';
import { upstreamsFrom } from '../services/dns-forward.js';
import { startDnsServer, type DnsServer } from '../services/dns-server.js';
import type { Ipv4Cidr } from '../common/ipv4.js';
import type { ApiObjectStore } from '../controllers/store/object-store.js';
import type { EndpointSlice, Service } from '../kube/service-types.js';
import { serviceAdmitter } from '../services/admission.js';

export const HOST_RESOLV_CONF = '/etc/resolv.conf';
const DNS_PORT = 53;

export interface DaemonServices {
  readonly range: Ipv4Cidr;
  readonly dns: ClusterDnsSettings;
  readonly dataplane: ServiceDataplane;
  /** Host problems that degrade Services (for `peapod info`). */
  readonly warnings: readonly string[];
  /** Stops DNS and syncing; with no pods left, removes every rule too. */
  close(removeRules: boolean): Promise<void>;
}

/** The service range, refused when malformed or overlapping the pod subnet (named by its variable). */
export function serviceRange(config: PeapodConfig): Ipv4Cidr {
  const range = parseCidr(config.serviceCidr, ENV_NAMES.serviceCidr);
  const pods = parseCidr(config.subnet, ENV_NAMES.subnet, 'loose');
  if (range.size < 8) throw new PeapodError('InvalidArgument', `${ENV_NAMES.serviceCidr}: "${config.serviceCidr}" is too small (at most /29)`);
  if (range.prefix < 12)
    throw new PeapodError('InvalidArgument', `${ENV_NAMES.serviceCidr}: "${config.serviceCidr}" is too large (at least /12, as kube-apiserver)`);
  if (cidrsOverlap(range, pods))
    throw new PeapodError(
      'InvalidArgument',
      `${ENV_NAMES.serviceCidr}: "${config.serviceCidr}" overlaps the pod subnet ${config.subnet} (${ENV_NAMES.subnet})`,
    );
  return range;
}

export async function startServices(config: PeapodConfig, state: ServiceState, log: (message: string) => void): Promise<DaemonServices> {
  const range = serviceRange(config);
  const pods = parseCidr(config.subnet, ENV_NAMES.subnet, 'loose');
  const gateway = firstHostAddress(pods);
  await ensureBridge(config.bridge, `${gateway}/${pods.prefix}`);
  const warnings: string[] = [];
  const netfilter = await ensureBridgeNetfilter();
  if (netfilter !== undefined) warnings.push(netfilter);
  const dataplane = new ServiceDataplane(state, createServiceProxy(config.bridge, config.subnet), log);
  const hostResolvConf = await readFile(HOST_RESOLV_CONF, 'utf8').catch(() => '');
  const upstreams = upstreamsFrom(hostResolvConf, [gateway]);
  let server: DnsServer | undefined;
  try {
    server = await startDnsServer({ host: gateway, port: DNS_PORT, zone: () => dataplane.zone(), upstreams: () => upstreams, log });
    log(`cluster DNS listening on ${gateway}:${DNS_PORT} (udp, tcp), forwarding to ${upstreams.map((u) => u.host).join(', ') || 'nothing'}`);
  } catch (err) {
    warnings.push(`cluster DNS not served on ${gateway}:${DNS_PORT}: ${errorMessage(err)}; pods get the host's resolvers`);
    log(warnings[warnings.length - 1] ?? '');
  }
  let dnsClosed: Promise<void> | undefined;
  return {
    range,
    dns: { servers: server ? [gateway] : [], domain: CLUSTER_DOMAIN, hostResolvConf },
    dataplane,
    warnings,
    async close(removeRules) {
      dnsClosed ??= server?.close() ?? Promise.resolve();
      await dnsClosed;
      if (removeRules) await dataplane.removeAll().catch((err: unknown) => log(`removing the Service rules: ${errorMessage(err)}`));
      else await dataplane.stop();
    },
  };
}

/** The object store the Services live in, once the controllers run: admission, and the dataplane's trigger. */
export function attachServiceStore(services: DaemonServices, store: ApiObjectStore): void {
  const admit = serviceAdmitter(services.range, () => store.list<Service>('Service'));
  store.setAdmission('Service', (object) => admit(object as Service));
  store.onChange((change) => {
    if (change.key.kind === 'Service' || change.key.kind === 'EndpointSlice') void services.dataplane.requestSync();
  });
  void services.dataplane.requestSync();
}

/** What the dataplane reads, from a store attached after the daemon's start (nothing until then). */
export function storeServiceState(): ServiceState & { attach(store: ApiObjectStore): void } {
  let source: ApiObjectStore | undefined;
  return {
    services: () => source?.list<Service>('Service') ?? [],
    slices: () => source?.list<EndpointSlice>('EndpointSlice') ?? [],
    attach(store) {
      source = store;
    },
  };
}
