// RemoveContainer: a running container is killed first (CRI: "must be forcibly removed"); its name is
// free again afterwards. Removing what is gone succeeds.
import type { CriContext } from './context.js';
import type { Fields } from './fields.js';
import { findContainer } from './lookup.js';

const FORCED_STOP_GRACE_MS = 0;

export async function removeContainer(ctx: CriContext, request: Fields): Promise<object> {
  const record = findContainer(ctx.runtime, request.str('container_id'));
  if (!record) return {};
  if (record.state === 'running' || record.state === 'created') await ctx.runtime.stopContainer(record.id, FORCED_STOP_GRACE_MS);
  const last = ctx.runtime.containers.get(record.id) ?? record;
  await ctx.runtime.removeContainer(record.id);
  ctx.events.emit('CONTAINER_DELETED_EVENT', last);
  return {};
}
