// StopPodSandbox: containers still running are killed at once (the kubelet stopped them with their
// grace period before; CRI: "must be forcibly terminated"), then the pause process and the network.
import type { CriContext } from './context.js';
import type { Fields } from './fields.js';
import { findSandbox } from './lookup.js';

/** CRI: StopPodSandbox forcibly terminates what is left, as containerd's stop with timeout 0. */
const FORCED_STOP_GRACE_MS = 0;

export async function stopPodSandbox(ctx: CriContext, request: Fields): Promise<object> {
  // Idempotent: a sandbox already removed is stopped as far as the kubelet is concerned.
  const record = findSandbox(ctx.runtime, request.str('pod_sandbox_id'));
  if (!record) return {};
  await ctx.runtime.stopPodSandbox(record.id, FORCED_STOP_GRACE_MS);
  return {};
}
