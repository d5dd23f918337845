import type { ExitStatus } from '../../host/oci-runtime/types.js';
import type { ContainerRecord } from '../types.js';

type ExitReason = NonNullable<ContainerRecord['exit']>['reason'];

/**
 * The kubelet's terminated reasons: OOMKilled when the cgroup's memory controller killed it (checked
 * before the exit code, since an OOM kill looks like any SIGKILL), Completed for 0, Error otherwise.
 */
export function exitReason(exit: ExitStatus, oomKilled: boolean): ExitReason {
  if (oomKilled) return 'OOMKilled';
  return exit.exitCode === 0 ? 'Completed' : 'Error';
}

/**
 * finishedAt comes from conmon's exit file (its mtime, stamped by the kernel's coarse clock) and
 * startedAt from our clock after `runc start` returned: a process that exits at once can look as if it
 * finished before it started. A container never finishes before it started, so the later of the two wins.
 */
export function orderedFinishedAt(startedAt: string | undefined, finishedAt: string): string {
  if (startedAt === undefined) return finishedAt;
  const started = Date.parse(startedAt);
  const finished = Date.parse(finishedAt);
  return Number.isFinite(started) && (!Number.isFinite(finished) || finished < started) ? startedAt : finishedAt;
}
