// The per-pod /etc/hosts, /etc/resolv.conf and /etc/hostname, generated as the kubelet does
// (pkg/kubelet/kubelet_pods.go managedHostsFileContent; resolv.conf from the pod's DNS config or the host's).
import type { DnsConfig, HostAlias } from '../types.js';

/** The files of the sandbox's dir every container of the pod bind-mounts under /etc. */
export const SANDBOX_FILES = ['hosts', 'resolv.conf', 'hostname'] as const;

export function hostsFileContent(podIp: string | undefined, hostname: string, fqdn: string | undefined, aliases: readonly HostAlias[]): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  if (podIp) lines.push(fqdn ? `${podIp}\t${fqdn}\t${hostname}` : `${podIp}\t${hostname}`);
  if (aliases.length > 0) {
    lines.push('', '# Entries added by HostAliases.');
    for (const alias of aliases) lines.push(`${alias.ip}\t${alias.hostnames.join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The pod's DNS config wins; otherwise the host's resolv.conf minus loopback nameservers a pod cannot reach. */
export function resolvConfContent(dns: DnsConfig | undefined, hostResolvConf: string, podHasOwnNetwork: boolean): string {
  if (dns && (dns.servers.length > 0 || dns.searches.length > 0 || dns.options.length > 0)) {
    const lines: string[] = [];
    if (dns.searches.length > 0) lines.push(`search ${dns.searches.join(' ')}`);
    for (const server of dns.servers) lines.push(`nameserver ${server}`);
    if (dns.options.length > 0) lines.push(`options ${dns.options.join(' ')}`);
    return `${lines.join('\n')}\n`;
  }
  const kept = hostResolvConf.split('\n').filter((line) => !(podHasOwnNetwork && /^\s*nameserver\s+(127\.|::1\b)/.test(line)));
  return `${kept.join('\n').trimEnd()}\n`;
}
