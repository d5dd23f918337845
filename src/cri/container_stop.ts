// StopContainer: the stop signal, `timeout` seconds of grace, then SIGKILL. Stopping a container that
// is already stopped, or gone, succeeds (CRI: "must not return an error").
import { PeapodError } from '../common/errors.js';
import type { CriContext } from './context.js';
import type { Fields } from './fields.js';
import { findContainer } from './lookup.js';

const MS_PER_SECOND = 1000;
/** Longer than any terminationGracePeriodSeconds the API server accepts in practice (it caps nothing; 1 day is ours). */
export const MAX_STOP_TIMEOUT_SECONDS = 24 * 3600;

export async function stopContainer(ctx: CriContext, request: Fields): Promise<object> {
  const timeout = request.int('timeout');
  if (timeout > MAX_STOP_TIMEOUT_SECONDS) {
    throw new PeapodError('InvalidArgument', `timeout ${timeout}s is longer than the ${MAX_STOP_TIMEOUT_SECONDS}s peapod allows`);
  }
  const record = findContainer(ctx.runtime, request.str('container_id'));
  if (!record) return {};
  await ctx.runtime.stopContainer(record.id, Math.max(0, timeout) * MS_PER_SECOND);
  return {};
}
