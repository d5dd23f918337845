// How a pod was built, from the runtime's own records: the sandbox's steps (pod cgroup, netns, CNI ADD,
// pause, generated files) and each container's (rootfs mounts, OCI bundle, runc create, runc start),
// each from the end of the one before to its own end as the records stamped them, plus the kubelet's
// events (image pulls, kills) and the probes' result changes (readiness turning ready) as points on the same clock.
import type { PodRecord } from '../kubelet/pod-record.js';
import type { RuntimeService } from '../runtime/service.js';
import type { ContainerRecord, SandboxRecord } from '../runtime/types.js';
import type { ProbeTransition } from '../kubelet/probes/container-probes.js';
import { compareStrings } from '../common/compare.js';

export interface TimelineStep {
  /** "sandbox" or the container's name (with its attempt). */
  readonly lane: string;
  readonly label: string;
  /** ISO times; a point event has start === end. */
  readonly start: string;
  readonly end: string;
  readonly kind: 'step' | 'event';
}

const SANDBOX_LABELS: Readonly<Record<string, string>> = {
  cgroup: 'pod cgroup',
  netns: 'network namespace',
  network: 'CNI ADD',
  pause: 'pause (catatonit) started',
  files: 'hosts, resolv.conf, hostname',
};
const CONTAINER_LABELS: Readonly<Record<string, string>> = {
  rootfs: 'rootfs mounts',
  bundle: 'OCI bundle (config.json)',
  created: 'runc create',
};

function stepsOf(
  lane: string,
  createdAt: string,
  done: readonly string[],
  at: Readonly<Record<string, string | undefined>>,
  labels: Readonly<Record<string, string>>,
): TimelineStep[] {
  const steps: TimelineStep[] = [];
  let start = createdAt;
  for (const step of done) {
    const end = at[step];
    if (end === undefined) continue;
    steps.push({ lane, label: labels[step] ?? step, start, end, kind: 'step' });
    start = end;
  }
  return steps;
}

function sandboxSteps(sandbox: SandboxRecord): TimelineStep[] {
  return stepsOf('sandbox', sandbox.createdAt, sandbox.done, sandbox.stepsDoneAt ?? {}, SANDBOX_LABELS);
}

function containerSteps(lane: string, container: ContainerRecord): TimelineStep[] {
  const steps = stepsOf(lane, container.createdAt, container.done, container.stepsDoneAt ?? {}, CONTAINER_LABELS);
  const created = container.stepsDoneAt?.created;
  if (created !== undefined && container.startedAt !== undefined) {
    steps.push({ lane, label: 'runc start', start: created, end: container.startedAt, kind: 'step' });
  }
  if (container.exit?.finishedAt !== undefined) {
    steps.push({
      lane,
      label: `exited ${container.exit.exitCode} (${container.exit.reason})`,
      start: container.exit.finishedAt,
      end: container.exit.finishedAt,
      kind: 'event',
    });
  }
  return steps;
}

export type ProbeHistory = (containerId: string) => readonly ProbeTransition[];

export function podTimeline(record: PodRecord, runtime: RuntimeService, probes: ProbeHistory = () => []): TimelineStep[] {
  const steps: TimelineStep[] = [];
  const created = record.pod.metadata.creationTimestamp;
  if (created !== undefined) steps.push({ lane: 'pod', label: 'accepted by the kubelet', start: created, end: created, kind: 'event' });
  const sandbox = record.sandboxId === undefined ? undefined : runtime.sandboxes.get(record.sandboxId);
  if (sandbox) steps.push(...sandboxSteps(sandbox));
  for (const [name, track] of Object.entries(record.containers)) {
    for (const [id, attempt] of [
      [track.previousContainerId, track.restartCount - 1],
      [track.containerId, track.restartCount],
    ] as const) {
      const container = id === undefined ? undefined : runtime.containers.get(id);
      if (!container) continue;
      const lane = `${name} #${attempt}`;
      steps.push(...containerSteps(lane, container));
      for (const p of probes(container.id)) steps.push({ lane, label: `${p.kind} probe: ${p.result}`, start: p.at, end: p.at, kind: 'event' });
    }
  }
  for (const event of record.events) {
    steps.push({ lane: 'events', label: `${event.reason}: ${event.message}`, start: event.firstTimestamp, end: event.firstTimestamp, kind: 'event' });
  }
  return steps.sort((a, b) => compareStrings(a.start, b.start));
}
