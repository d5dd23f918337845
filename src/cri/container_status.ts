// ContainerStatus and ListContainers.
import type { CriContext } from './context.js';
import { containerItem, containerState, containerStatus } from './convert.js';
import type { Fields } from './fields.js';
import { matchesLabels, requireContainer } from './lookup.js';
import { CONTAINER_STATES, type Container } from './types.js';
import { compareStrings } from '../common/compare.js';

export function containerStatusRpc(ctx: CriContext, request: Fields): Promise<object> {
  const record = requireContainer(ctx.runtime, request.str('container_id'));
  const sandbox = ctx.runtime.sandboxes.get(record.sandboxId);
  const info: Record<string, string> = {};
  if (request.bool('verbose')) {
    info['info'] = JSON.stringify({
      sandboxID: record.sandboxId,
      pid: record.state === 'running' ? (record.pid ?? 0) : 0,
      state: record.state,
      cgroupsPath: record.cgroupsPath,
      bundle: record.dir,
      args: record.config.args,
      env: record.config.env.map((e) => e.split('=')[0]),
      privileged: record.config.security.privileged,
    });
  }
  return Promise.resolve({ status: containerStatus(record, sandbox), info });
}

export function listContainers(ctx: CriContext, request: Fields): Promise<{ containers: Container[] }> {
  const filter = request.msg('filter');
  const id = filter?.str('id') ?? '';
  const sandboxId = filter?.str('pod_sandbox_id') ?? '';
  const state = filter?.msg('state')?.enumOf('state', CONTAINER_STATES);
  const selector = filter?.strMap('label_selector') ?? {};
  const containers = ctx.runtime.containers
    .list()
    .filter((c) => id === '' || c.id.startsWith(id))
    .filter((c) => sandboxId === '' || c.sandboxId.startsWith(sandboxId))
    .filter((c) => state === undefined || containerState(c) === state)
    .filter((c) => matchesLabels(c.config.labels, selector))
    .sort((a, b) => compareStrings(a.createdAt, b.createdAt))
    .map(containerItem);
  return Promise.resolve({ containers });
}
