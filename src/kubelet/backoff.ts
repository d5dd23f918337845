// CrashLoopBackOff as the kubelet computes it: the delay before restarting a crashed container starts
// at 10 s and doubles up to 300 s (pkg/kubelet/kubelet.go backOffPeriod, MaxContainerBackOff); it is
// reset when the container ran for twice the cap, 10 minutes (client-go flowcontrol backoff).

export const INITIAL_BACKOFF_SECONDS = 10;
export const MAX_BACKOFF_SECONDS = 300;
export const BACKOFF_RESET_SECONDS = 2 * MAX_BACKOFF_SECONDS;

/**
 * The delay for the next restart. `previousSeconds` is the last delay applied (undefined on the first
 * crash); `ranSeconds` how long the container ran before this exit.
 */
export function nextBackoffSeconds(previousSeconds: number | undefined, ranSeconds: number): number {
  if (previousSeconds === undefined || ranSeconds >= BACKOFF_RESET_SECONDS) return INITIAL_BACKOFF_SECONDS;
  return Math.min(previousSeconds * 2, MAX_BACKOFF_SECONDS);
}
