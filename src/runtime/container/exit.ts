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
