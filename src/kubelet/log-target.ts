// Which log file a logs request reads, shared by the local API and the Kubernetes API so both answer
// `logs [-c C] [--previous]` with the same choice and the same errors (the kubelet's wording).
import { join } from 'node:path';
import { PeapodError } from '../common/errors.js';
import { podLogDirectory } from './convert.js';
import type { PodRecord } from './pod-record.js';
import { podContainers } from '../kube/pod-containers.js';

export interface LogTarget {
  readonly container: string;
  readonly path: string;
  /** The runtime container writing the file (undefined: none any more). */
  readonly containerId: string | undefined;
}

export function resolveLogTarget(record: PodRecord, logRoot: string, requested: string | undefined, previous: boolean): LogTarget {
  const names = podContainers(record.pod.spec).map((c) => c.name);
  const container = requested ?? (record.pod.spec.containers.length === 1 ? record.pod.spec.containers[0]?.name : undefined);
  if (container === undefined) {
    throw new PeapodError('InvalidArgument', `a container name must be specified for pod ${record.pod.metadata.name}, choose one of: [${names.join(' ')}]`);
  }
  if (!names.includes(container)) throw new PeapodError('NotFound', `container ${container} is not valid for pod ${record.pod.metadata.name}`);
  const track = record.containers[container];
  const attempt = previous ? (track?.restartCount ?? 0) - 1 : (track?.restartCount ?? 0);
  if (previous && (attempt < 0 || track?.previousContainerId === undefined)) {
    throw new PeapodError('FailedPrecondition', `previous terminated container "${container}" in pod "${record.pod.metadata.name}" not found`);
  }
  if (!previous && track?.containerId === undefined) {
    throw new PeapodError('FailedPrecondition', `container "${container}" in pod "${record.pod.metadata.name}" is waiting to start`);
  }
  return {
    container,
    path: join(podLogDirectory(logRoot, record.pod), container, `${attempt}.log`),
    containerId: previous ? track?.previousContainerId : track?.containerId,
  };
}
