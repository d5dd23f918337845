// When `apply --wait` is over for one pod, decided from its status alone: every container has started,
// whether it still runs or already terminated (a one-shot container that wrote a file and exited has
// done its job), or the pod has failed, which ends the wait with the reason.
import type { ContainerStatus, Pod } from '../kube/types.js';

export type StartedOutcome = { readonly kind: 'started' } | { readonly kind: 'failed'; readonly reason: string } | { readonly kind: 'pending' };

const PENDING: StartedOutcome = { kind: 'pending' };

const STUCK_REASONS = new Set([
  'CrashLoopBackOff',
  'CreateContainerError',
  'CreateContainerConfigError',
  'RunContainerError',
  'InvalidImageName',
  'ImagePullBackOff',
  'ErrImageNeverPull',
]);

export function startedOutcome(pod: Pod): StartedOutcome {
  const status = pod.status ?? {};
  if (status.phase === 'Succeeded') return { kind: 'started' };
  if (status.phase === 'Failed') return { kind: 'failed', reason: failedReason(pod) };
  const statuses = status.containerStatuses ?? [];
  // The kubelet retries these, but none heals without a change from the user: a waiting user is told
  // now rather than at the timeout. A crash-looping container has started, but is not what was asked for.
  const stuck = statuses.find((c) => STUCK_REASONS.has(c.state.waiting?.reason ?? ''));
  if (stuck)
    return {
      kind: 'failed',
      reason: `container ${stuck.name}: ${stuck.state.waiting?.reason}${stuck.state.waiting?.message ? `: ${stuck.state.waiting.message}` : ''}${lastExit(stuck)}`,
    };
  const names = pod.spec.containers.map((c) => c.name);
  const started = names.every((name) => {
    const c = statuses.find((s) => s.name === name);
    return c !== undefined && (c.state.running !== undefined || c.state.terminated !== undefined);
  });
  return status.phase === 'Running' && started ? { kind: 'started' } : PENDING;
}

/** For a timed-out wait: what each container that has not started is waiting for. */
export function waitingReasons(pod: Pod): string {
  const waiting = (pod.status?.containerStatuses ?? []).filter((c) => c.state.waiting !== undefined);
  return waiting.map((c) => `${c.name}: ${c.state.waiting?.reason ?? 'waiting'}${c.state.waiting?.message ? ` (${c.state.waiting.message})` : ''}`).join('; ');
}

function failedReason(pod: Pod): string {
  const status = pod.status ?? {};
  const terminated = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])].filter((c) => (c.state.terminated?.exitCode ?? 0) !== 0);
  const containers = terminated.map((c) => `container ${c.name}: ${c.state.terminated?.reason ?? 'Error'} (exit ${c.state.terminated?.exitCode})`);
  const podReason = [status.reason, status.message].filter((s) => s !== undefined && s !== '').join(': ');
  return [podReason, ...containers].filter((s) => s !== '').join('; ') || 'phase Failed';
}

function lastExit(c: ContainerStatus): string {
  const t = c.lastState.terminated;
  return t === undefined ? '' : ` (last exit ${t.exitCode}${t.reason ? `, ${t.reason}` : ''})`;
}
