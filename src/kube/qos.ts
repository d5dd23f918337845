// The pod's QoS class exactly as Kubernetes computes it (pkg/apis/core/v1/helper/qos/qos.go):
// only cpu and memory count; a missing request defaults to the limit; Guaranteed when every container
// (init containers included) has cpu and memory limits equal to its requests; BestEffort when no
// container has any cpu or memory request or limit; Burstable otherwise.
import type { Container, Pod } from './types.js';
import { parseQuantity } from './quantity.js';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const COMPUTE = ['cpu', 'memory'] as const;

function positive(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = parseQuantity(value).value;
  return n > 0 ? n : undefined;
}

export function podQosClass(pod: Pod): QosClass {
  const containers: Container[] = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  let anySet = false;
  let guaranteed = true;
  for (const c of containers) {
    for (const name of COMPUTE) {
      const request = positive(c.resources?.requests?.[name]);
      const limit = positive(c.resources?.limits?.[name]);
      if (request !== undefined || limit !== undefined) anySet = true;
      const effectiveRequest = request ?? limit;
      if (limit === undefined || effectiveRequest !== limit) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
