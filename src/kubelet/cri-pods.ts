// Pods that came in through the CRI door: runtime sandboxes that no pod record owns, shown by
// `peapod get pods` beside the CLI's own (one store, two doors), with OWNER "cri". Their containers'
// statuses are status.ts's; the pod's phase and STATUS column say what the sandbox and runtime say, as
// no spec of theirs is known here (their kubelet has it).
import type { Pod, PodStatus } from '../kube/types.js';
import type { RuntimeService } from '../runtime/service.js';
import type { ContainerRecord, SandboxRecord } from '../runtime/types.js';
import type { PodView } from './manager.js';
import { runtimeContainerStatus } from './status.js';
import { compareStrings } from '../common/compare.js';

function criPodView(sandbox: SandboxRecord, containers: readonly ContainerRecord[]): PodView {
  const { config } = sandbox;
  const statuses = containers.map(runtimeContainerStatus);
  const running = containers.some((c) => c.state === 'running');
  const status: PodStatus = {
    phase: sandbox.state === 'ready' ? (running || containers.length === 0 ? 'Running' : 'Pending') : 'Succeeded',
    ...(sandbox.network?.ip !== undefined ? { podIP: sandbox.network.ip } : {}),
    startTime: sandbox.createdAt,
    containerStatuses: statuses,
  };
  const pod: Pod & { status: PodStatus } = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: config.name,
      namespace: config.namespace,
      uid: config.uid,
      creationTimestamp: sandbox.createdAt,
      labels: { ...config.labels },
      annotations: { ...config.annotations },
    },
    spec: { containers: containers.map((c) => ({ name: c.config.name, image: c.config.image })) },
    status,
  };
  const displayStatus = sandbox.state === 'ready' ? (running ? 'Running' : containers.length === 0 ? 'SandboxReady' : 'NotRunning') : 'SandboxNotReady';
  return { pod, displayStatus, source: 'cri', sandboxId: sandbox.id };
}

/** Views of the sandboxes of no pod record (by pod UID), in the namespace (or all when undefined). */
export function criPodViews(runtime: RuntimeService, podUids: ReadonlySet<string>, namespace: string | undefined): PodView[] {
  return runtime.sandboxes
    .list()
    .filter((s) => !podUids.has(s.config.uid) && s.state !== 'removing' && (namespace === undefined || s.config.namespace === namespace))
    .sort((a, b) => compareStrings(a.config.namespace, b.config.namespace) || compareStrings(a.config.name, b.config.name))
    .map((s) => criPodView(s, runtime.containersOf(s.id)));
}
