// RunPodSandbox: PodSandboxConfig → the runtime's SandboxConfig, under the sandbox's reserved name.
import { join, posix } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PeapodError } from '../common/errors.js';
import { SANDBOX_OOM_SCORE_ADJ, clampOomScoreAdj } from '../oci/resources.js';
import { podLogDirectoryName } from '../runtime/logs/layout.js';
import type { PortMapping } from '../host/network/types.js';
import type { DnsConfig, NamespaceScope, SandboxConfig } from '../runtime/types.js';
import type { CriContext } from './context.js';
import { seccompFrom } from './container_security.js';
import { readResources } from './convert.js';
import type { Fields } from './fields.js';
import { sandboxName } from './names.js';
import { NAMESPACE_MODES, PROTOCOLS } from './types.js';
import { refuseUnsupportedSandboxFields } from './unsupported.js';

/** Where a sandbox without linux.cgroup_parent goes: the kubelet's BestEffort parent. */
const DEFAULT_QOS_PARENT = 'kubepods/besteffort';
/** A DNS label (RFC 1123): what a hostname may be, as the kubelet validates it. */
const HOSTNAME_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

export async function runPodSandbox(ctx: CriContext, request: Fields, signal?: AbortSignal): Promise<{ pod_sandbox_id: string }> {
  const configMsg = request.msg('config');
  if (!configMsg) throw new PeapodError('InvalidArgument', 'config: a PodSandboxConfig is required');
  const handler = request.str('runtime_handler');
  if (handler !== '' && handler !== 'runc') {
    throw new PeapodError('InvalidArgument', `runtime_handler ${JSON.stringify(handler)} is not configured; peapod has one handler: "" (runc)`);
  }
  const config = sandboxConfigFrom(configMsg, ctx);
  const record = await ctx.names.withReservation('sandbox', sandboxName(config), () => ctx.runtime.runPodSandbox(config, [], signal));
  return { pod_sandbox_id: record.id };
}

export function sandboxConfigFrom(f: Fields, ctx: CriContext): SandboxConfig {
  refuseUnsupportedSandboxFields(f);
  const meta = f.msg('metadata');
  const name = meta?.str('name') ?? '';
  const namespace = meta?.str('namespace') ?? '';
  if (name === '') throw new PeapodError('InvalidArgument', 'config.metadata.name must not be empty');
  if (namespace === '') throw new PeapodError('InvalidArgument', 'config.metadata.namespace must not be empty');
  const uid = meta?.str('uid') ?? '';
  const linux = f.msg('linux');
  const security = linux?.msg('security_context');
  const nsOptions = security?.msg('namespace_options');
  const network = nsOptions?.enumOf('network', NAMESPACE_MODES) ?? 'POD';
  const pid = nsOptions?.enumOf('pid', NAMESPACE_MODES) ?? 'POD';
  const ipc = nsOptions?.enumOf('ipc', NAMESPACE_MODES) ?? 'POD';
  const hostNetwork = network === 'NODE';
  return {
    name,
    namespace,
    uid,
    attempt: meta?.int('attempt') ?? 0,
    hostname: sandboxHostname(f.str('hostname'), hostNetwork),
    cgroupParent: cgroupParentFrom(linux?.str('cgroup_parent') ?? '', ctx.settings.cgroupRoot, uid),
    podResources: readResources(linux?.msg('resources')),
    network: hostNetwork ? 'node' : 'pod',
    pid: pidScope(pid),
    ipc: ipc === 'NODE' ? 'node' : 'pod',
    portMappings: hostNetwork ? [] : f.list('port_mappings').flatMap(portMapping),
    dns: dnsFrom(f.msg('dns_config')),
    hostAliases: [],
    sysctls: linux?.strMap('sysctls') ?? {},
    labels: f.strMap('labels'),
    annotations: f.strMap('annotations'),
    logDirectory: logDirectoryFrom(f.str('log_directory'), ctx.settings.logRoot, namespace, name, uid),
    oomScoreAdj: clampOomScoreAdj(SANDBOX_OOM_SCORE_ADJ, ctx.settings.oomScoreAdjFloor),
    // The pause runs under the sandbox's profile, unconfined when privileged (containerd's sandbox spec).
    seccomp: security?.bool('privileged') === true ? { kind: 'unconfined' } : seccompFrom(security),
  };
}

/**
 * The kubelet sends the pod's hostname (cut to 63 characters), or none for a hostNetwork pod. An empty one
 * gets the node's from the runtime, as containerd gives it (runtime/translate.ts), and so does any sandbox in
 * the node's network namespace.
 */
function sandboxHostname(given: string, hostNetwork: boolean): string {
  if (hostNetwork || given === '') return '';
  if (!HOSTNAME_PATTERN.test(given) || given.length > 253) {
    throw new PeapodError('InvalidArgument', `config.hostname ${JSON.stringify(given)} is not a valid DNS name (lower case letters, digits, '-' and '.')`);
  }
  return given;
}

function pidScope(mode: (typeof NAMESPACE_MODES)[number]): NamespaceScope {
  switch (mode) {
    case 'POD':
      return 'pod';
    case 'NODE':
      return 'node';
    case 'CONTAINER':
      return 'container';
    case 'TARGET':
      throw new PeapodError('InvalidArgument', 'config.linux.security_context.namespace_options.pid: TARGET is only valid for containers');
  }
}

/**
 * The kubelet's cgroupfs parent (e.g. /kubepods/burstable/pod<uid>) placed under peapod's cgroup root,
 * so a CRI pod lands where a CLI pod of the same QoS would. systemd slices are refused: peapod drives
 * cgroupfs (RuntimeConfig says so).
 */
export function cgroupParentFrom(given: string, cgroupRoot: string, uid: string): string {
  const root = cgroupRoot.replace(/\/+$/, '');
  if (given === '') return `${root}/${DEFAULT_QOS_PARENT}/pod${uid === '' ? randomUUID() : uid}`;
  if (given.endsWith('.slice')) {
    throw new PeapodError('InvalidArgument', `config.linux.cgroup_parent ${JSON.stringify(given)} is a systemd slice; peapod uses the cgroupfs driver`, {
      hint: 'run the kubelet with --cgroup-driver=cgroupfs',
    });
  }
  const normalized = posix.normalize(`/${given}`).replace(/\/+$/, '');
  if (normalized === '' || normalized.split('/').includes('..')) {
    throw new PeapodError('InvalidArgument', `config.linux.cgroup_parent ${JSON.stringify(given)} must be a cgroup path like /kubepods/burstable/pod<uid>`);
  }
  // A parent already under our root (a kubelet configured with --cgroup-root=<peapod root>) stays as is.
  return normalized === root || normalized.startsWith(`${root}/`) ? normalized : `${root}${normalized}`;
}

function portMapping(p: Fields): PortMapping[] {
  const hostPort = p.int('host_port');
  const containerPort = p.int('container_port');
  // Only host ports need plumbing; the kubelet sends containerPort-only entries too.
  if (hostPort <= 0) return [];
  if (hostPort > 65535 || containerPort <= 0 || containerPort > 65535) {
    throw new PeapodError('InvalidArgument', `${p.path}: ports must be within 1-65535 (host_port ${hostPort}, container_port ${containerPort})`);
  }
  const hostIP = p.str('host_ip');
  return [
    {
      hostPort,
      containerPort,
      protocol: p.enumOf('protocol', PROTOCOLS).toLowerCase() as PortMapping['protocol'],
      ...(hostIP !== '' ? { hostIP } : {}),
    },
  ];
}

function dnsFrom(f: Fields | undefined): DnsConfig | undefined {
  if (!f) return undefined;
  return { servers: f.strList('servers'), searches: f.strList('searches'), options: f.strList('options') };
}

function logDirectoryFrom(given: string, logRoot: string, namespace: string, name: string, uid: string): string {
  if (given !== '') {
    if (!given.startsWith('/')) throw new PeapodError('InvalidArgument', `config.log_directory ${JSON.stringify(given)} must be an absolute path`);
    return posix.normalize(given);
  }
  return join(logRoot, podLogDirectoryName(namespace, name, uid));
}
