// PodSandboxStatus and ListPodSandbox.
import type { CriContext } from './context.js';
import { containerStatus, nowNanos, podSandboxItem, podSandboxStatus, sandboxState } from './convert.js';
import type { Fields } from './fields.js';
import { matchesLabels, requireSandbox } from './lookup.js';
import { POD_SANDBOX_STATES, type PodSandbox } from './types.js';
import { compareStrings } from '../common/compare.js';

export async function podSandboxStatusRpc(ctx: CriContext, request: Fields): Promise<object> {
  const record = requireSandbox(ctx.runtime, request.str('pod_sandbox_id'));
  const info: Record<string, string> = {};
  if (request.bool('verbose')) {
    const pauseNamespaces = await ctx.runtime.sandboxNamespaces(record.id);
    info['info'] = JSON.stringify({
      pid: record.pausePid ?? 0,
      state: record.state,
      cgroupParent: record.config.cgroupParent,
      netnsPath: record.netnsPath ?? '',
      network: record.network ? { ip: record.network.ip, prefixLength: record.network.prefixLength, gateway: record.network.gateway } : null,
      namespaces: pauseNamespaces,
      logDirectory: record.config.logDirectory,
      portMappings: record.config.portMappings,
      runtimeSpecDir: record.dir,
    });
  }
  return {
    status: podSandboxStatus(record),
    info,
    containers_statuses: ctx.runtime.containersOf(record.id).map((c) => containerStatus(c, record)),
    timestamp: nowNanos(),
  };
}

export function listPodSandbox(ctx: CriContext, request: Fields): Promise<{ items: PodSandbox[] }> {
  const filter = request.msg('filter');
  const id = filter?.str('id') ?? '';
  const state = filter?.msg('state')?.enumOf('state', POD_SANDBOX_STATES);
  const selector = filter?.strMap('label_selector') ?? {};
  const items = ctx.runtime.sandboxes
    .list()
    .filter((s) => s.state !== 'removing')
    .filter((s) => id === '' || s.id.startsWith(id))
    .filter((s) => state === undefined || sandboxState(s) === state)
    .filter((s) => matchesLabels(s.config.labels, selector))
    .sort((a, b) => compareStrings(a.createdAt, b.createdAt))
    .map(podSandboxItem);
  return Promise.resolve({ items });
}
