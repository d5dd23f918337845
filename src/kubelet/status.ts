// Pod status as the API reports it, computed from the pod record and the runtime's records:
// phase, conditions, container states (waiting/running/terminated with the kubelet's reasons).
import type { Container, ContainerState, ContainerStatus, PodCondition, PodStatus } from '../kube/types.js';
import type { RuntimeService } from '../runtime/service.js';
import type { ContainerRecord } from '../runtime/types.js';
import { podQosClass } from '../kube/qos.js';
import type { ContainerTrack, PodRecord } from './pod-record.js';

const CONTAINER_ID_PREFIX = 'peapod://';

function stateOf(track: ContainerTrack | undefined, record: ContainerRecord | undefined, initializing: boolean): ContainerState {
  if (track?.waiting && (!record || record.state === 'exited')) {
    return { waiting: { reason: track.waiting.reason, ...(track.waiting.message ? { message: track.waiting.message } : {}) } };
  }
  if (!record) return { waiting: { reason: initializing ? 'PodInitializing' : 'ContainerCreating' } };
  if (record.state === 'running') return { running: { startedAt: record.startedAt ?? record.createdAt } };
  if (record.state === 'exited' && record.exit) {
    return {
      terminated: {
        exitCode: record.exit.exitCode,
        reason: record.exit.reason,
        ...(record.exit.message ? { message: record.exit.message } : {}),
        ...(record.exit.signal !== undefined ? { signal: record.exit.signal } : {}),
        ...(record.startedAt ? { startedAt: record.startedAt } : {}),
        finishedAt: record.exit.finishedAt,
        containerID: `${CONTAINER_ID_PREFIX}${record.id}`,
      },
    };
  }
  return { waiting: { reason: 'ContainerCreating' } };
}

/** The status of a runtime container no pod spec here describes (a CRI pod's): its state as the runtime records it. */
export function runtimeContainerStatus(record: ContainerRecord): ContainerStatus {
  return {
    name: record.config.name,
    image: record.config.image,
    imageID: record.imageId,
    containerID: `${CONTAINER_ID_PREFIX}${record.id}`,
    ready: record.state === 'running',
    restartCount: record.config.attempt,
    state: stateOf(undefined, record, false),
    lastState: {},
  };
}

export type ProbeStateLookup = (containerId: string) => { started: boolean; ready: boolean } | undefined;

function containerStatus(
  c: Container,
  track: ContainerTrack | undefined,
  runtime: RuntimeService,
  initializing: boolean,
  probes: ProbeStateLookup,
): ContainerStatus {
  const record = track?.containerId === undefined ? undefined : runtime.containers.get(track.containerId);
  const state = stateOf(track, record, initializing);
  const running = state.running !== undefined;
  // A container with probes that never reported (e.g. right after a daemon restart) counts as its
  // probes' initial results: started only without a startup probe, ready only without a readiness probe.
  const probe = record ? probes(record.id) : undefined;
  const started = running && (probe?.started ?? c.startupProbe === undefined);
  const ready = running && (probe?.ready ?? (c.startupProbe === undefined && c.readinessProbe === undefined));
  const last = track?.lastTermination;
  return {
    name: c.name,
    image: c.image ?? '',
    imageID: record?.imageId ?? '',
    ...(record ? { containerID: `${CONTAINER_ID_PREFIX}${record.id}` } : {}),
    ready,
    started,
    restartCount: track?.restartCount ?? 0,
    state,
    lastState: last
      ? {
          terminated: {
            exitCode: last.exitCode,
            reason: last.reason,
            ...(last.signal !== undefined ? { signal: last.signal } : {}),
            ...(last.startedAt ? { startedAt: last.startedAt } : {}),
            finishedAt: last.finishedAt,
            containerID: `${CONTAINER_ID_PREFIX}${last.containerId}`,
          },
        }
      : {},
  };
}

export function computePodStatus(record: PodRecord, runtime: RuntimeService, probes: ProbeStateLookup = () => undefined): PodStatus {
  const { pod } = record;
  const sandbox = record.sandboxId === undefined ? undefined : runtime.sandboxes.get(record.sandboxId);
  const inits = pod.spec.initContainers ?? [];
  const initStatuses = inits.map((c) => containerStatus(c, record.containers[c.name], runtime, false, probes));
  const initialized = inits.every((c, i) => {
    const s = initStatuses[i];
    return c.restartPolicy === 'Always' ? s?.started === true : s?.state.terminated?.exitCode === 0;
  });
  const statuses = pod.spec.containers.map((c) => containerStatus(c, record.containers[c.name], runtime, !initialized, probes));
  const allReady = statuses.every((s) => s.ready) && initStatuses.every((s, i) => inits[i]?.restartPolicy !== 'Always' || s.ready);
  const phase = record.terminalPhase ?? computePhase(statuses, sandbox?.state === 'ready', initialized, pod.spec.restartPolicy ?? 'Always');
  const now = record.startTime ?? pod.metadata.creationTimestamp ?? new Date().toISOString();
  const condition = (type: string, ok: boolean, reason?: string): PodCondition => ({
    type,
    status: ok ? 'True' : 'False',
    lastTransitionTime: now,
    ...(ok || !reason ? {} : { reason }),
  });
  const running = phase === 'Running';
  const conditions: PodCondition[] = [
    condition('PodReadyToStartContainers', sandbox?.state === 'ready'),
    condition('Initialized', initialized, 'ContainersNotInitialized'),
    condition('Ready', running && allReady, 'ContainersNotReady'),
    condition('ContainersReady', running && allReady, 'ContainersNotReady'),
    condition('PodScheduled', true),
  ];
  const ip = sandbox?.network?.ip;
  return {
    phase,
    conditions,
    hostIP: '127.0.0.1',
    ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
    ...(record.startTime ? { startTime: record.startTime } : {}),
    ...(inits.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
    ...(pod.spec.ephemeralContainers?.length
      ? { ephemeralContainerStatuses: pod.spec.ephemeralContainers.map((c) => containerStatus(c, record.containers[c.name], runtime, false, probes)) }
      : {}),
    qosClass: podQosClass(pod),
    ...(record.terminalStatusReason ? { reason: record.terminalStatusReason } : {}),
    ...(record.terminalReason ? { message: record.terminalReason } : {}),
  };
}

/** kubelet getPhase: Pending until the sandbox runs and containers started; Running while any runs or restarts. */
function computePhase(statuses: readonly ContainerStatus[], sandboxReady: boolean, initialized: boolean, policy: string): NonNullable<PodStatus['phase']> {
  if (!sandboxReady || !initialized) return 'Pending';
  const running = statuses.filter((s) => s.state.running).length;
  const waitingFresh = statuses.filter((s) => s.state.waiting && s.restartCount === 0 && !s.lastState.terminated).length;
  const terminated = statuses.filter((s) => s.state.terminated).length;
  const failed = statuses.filter((s) => (s.state.terminated?.exitCode ?? 0) !== 0).length;
  if (waitingFresh > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (terminated === statuses.length && terminated > 0) {
    if (policy === 'Always') return 'Running';
    if (policy === 'OnFailure' && failed > 0) return 'Running';
    return failed > 0 ? 'Failed' : 'Succeeded';
  }
  return 'Running';
}

/** kubectl's STATUS column (printers.go printPod). */
export function displayStatus(record: PodRecord, status: PodStatus): string {
  if (record.deletion) return 'Terminating';
  let reason: string = status.phase ?? 'Unknown';
  const inits = status.initContainerStatuses ?? [];
  const initSpecs = record.pod.spec.initContainers ?? [];
  for (const [i, s] of inits.entries()) {
    const sidecar = initSpecs[i]?.restartPolicy === 'Always';
    if (s.state.terminated?.exitCode === 0) continue;
    if (sidecar && s.started) continue;
    if (s.state.terminated) return s.state.terminated.reason ? `Init:${s.state.terminated.reason}` : `Init:ExitCode:${s.state.terminated.exitCode}`;
    if (s.state.waiting?.reason && s.state.waiting.reason !== 'PodInitializing') return `Init:${s.state.waiting.reason}`;
    return `Init:${i}/${inits.length}`;
  }
  let anyRunning = false;
  for (const s of [...(status.containerStatuses ?? [])].reverse()) {
    if (s.state.waiting?.reason) reason = s.state.waiting.reason;
    else if (s.state.terminated)
      reason = s.state.terminated.reason ?? (s.state.terminated.signal ? `Signal:${s.state.terminated.signal}` : `ExitCode:${s.state.terminated.exitCode}`);
    else if (s.state.running && s.ready) anyRunning = true;
  }
  if (reason === 'Completed' && anyRunning) reason = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  return reason;
}
