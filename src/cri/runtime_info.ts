// Version, Status, UpdateRuntimeConfig and RuntimeConfig.
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import type { CriContext } from './context.js';
import type { Fields } from './fields.js';

export const RUNTIME_NAME = 'peapod';
export const RUNTIME_API_VERSION = 'v1';
/** The CRI version field kubelets send and expect back ("0.1.0" since the first CRI). */
export const KUBE_API_VERSION = '0.1.0';
/** The CNI plugins the pod network chain runs (host/network): their absence makes the network not ready. */
export const REQUIRED_CNI_PLUGINS = ['bridge', 'host-local', 'loopback', 'portmap'] as const;

export function version(ctx: CriContext): Promise<object> {
  return Promise.resolve({
    version: KUBE_API_VERSION,
    runtime_name: RUNTIME_NAME,
    runtime_version: ctx.settings.runtimeVersion,
    runtime_api_version: RUNTIME_API_VERSION,
  });
}

interface Condition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

async function networkCondition(ctx: CriContext): Promise<Condition> {
  const missing: string[] = [];
  for (const plugin of REQUIRED_CNI_PLUGINS) {
    await access(join(ctx.settings.cniBinDir, plugin), constants.X_OK).catch(() => missing.push(plugin));
  }
  if (missing.length === 0) return { type: 'NetworkReady', status: true, reason: '', message: '' };
  return {
    type: 'NetworkReady',
    status: false,
    reason: 'NetworkPluginNotReady',
    message: `CNI plugins missing from ${ctx.settings.cniBinDir}: ${missing.join(', ')}`,
  };
}

export async function status(ctx: CriContext, request: Fields): Promise<object> {
  const network = await networkCondition(ctx);
  const info: Record<string, string> = {};
  if (request.bool('verbose')) {
    info['config'] = JSON.stringify({
      cgroupRoot: ctx.settings.cgroupRoot,
      cgroupDriver: 'cgroupfs',
      cgroupVersion: ctx.runtime.cgroupVersion,
      podSubnet: ctx.settings.podSubnet,
      cniBinDir: ctx.settings.cniBinDir,
      sandboxes: ctx.runtime.sandboxes.list().length,
      containers: ctx.runtime.containers.list().length,
    });
  }
  return {
    status: { conditions: [{ type: 'RuntimeReady', status: true, reason: '', message: '' }, network] },
    info,
    runtime_handlers: [{ name: '', features: { recursive_read_only_mounts: false, user_namespaces: false } }],
    features: { supplemental_groups_policy: false, user_namespaces_host_network: false },
  };
}

/**
 * The kubelet reports its node's pod CIDR here. peapod's pod network has one subnet fixed at daemon
 * start (--subnet); a different CIDR is noted in the log, not applied (containerd likewise only
 * rewrites a CNI config template, which peapod does not have).
 */
export function updateRuntimeConfig(ctx: CriContext, request: Fields): Promise<object> {
  const cidr = request.msg('runtime_config')?.msg('network_config')?.str('pod_cidr') ?? '';
  if (cidr !== '' && cidr !== ctx.settings.podSubnet) {
    ctx.log(`cri: kubelet pod CIDR ${cidr} differs from peapod's pod subnet ${ctx.settings.podSubnet}; keeping ${ctx.settings.podSubnet}`);
  }
  return Promise.resolve({});
}

/** The kubelet (1.31+) asks for the cgroup driver instead of being configured with it. */
export function runtimeConfig(): Promise<object> {
  return Promise.resolve({ linux: { cgroup_driver: 'CGROUPFS' } });
}
