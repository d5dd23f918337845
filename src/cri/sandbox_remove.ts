// RemovePodSandbox: stops what still runs, removes containers, the pause container, netns, cgroup and
// files, and frees the sandbox's name. Removing what is gone succeeds.
import type { CriContext } from './context.js';
import type { Fields } from './fields.js';
import { findSandbox } from './lookup.js';

const FORCED_STOP_GRACE_MS = 0;

export async function removePodSandbox(ctx: CriContext, request: Fields): Promise<object> {
  const record = findSandbox(ctx.runtime, request.str('pod_sandbox_id'));
  if (!record) return {};
  const containers = ctx.runtime.containersOf(record.id);
  await ctx.runtime.stopPodSandbox(record.id, FORCED_STOP_GRACE_MS);
  await ctx.runtime.removePodSandbox(record.id);
  for (const c of containers) ctx.events.emit('CONTAINER_DELETED_EVENT', c);
  return {};
}
