// Lifecycle hooks (pkg/kubelet/lifecycle/handlers.go): postStart right after the container starts,
// preStop before it is signalled to stop, each exec, httpGet, tcpSocket or sleep. A hook is bounded by
// the time the caller gives it (the remaining grace period for preStop).
import type { LifecycleHandler } from '../kube/types.js';
import { runProbe, type ProbeExec, type ProbeOutcome, type ProbeTarget } from './probes/run-probe.js';

export async function runHook(handler: LifecycleHandler, target: ProbeTarget, exec: ProbeExec, timeoutMs: number): Promise<ProbeOutcome> {
  if (handler.sleep) {
    const ms = Math.min(handler.sleep.seconds * 1000, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { result: 'success' };
  }
  // The probe runner does exactly what a hook needs; a hook's timeout is the caller's budget.
  return runProbe({ ...handler, timeoutSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)) }, target, exec);
}
