// StartContainer.
import type { CriContext } from './context.js';
import type { Fields } from './fields.js';
import { requireContainer } from './lookup.js';

export async function startContainer(ctx: CriContext, request: Fields): Promise<object> {
  const record = requireContainer(ctx.runtime, request.str('container_id'));
  const started = await ctx.runtime.startContainer(record.id);
  ctx.events.emit('CONTAINER_STARTED_EVENT', started);
  return {};
}
