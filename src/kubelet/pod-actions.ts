// The pod worker's plan, after the kubelet's computePodActions (kuberuntime_manager.go): from the pod's
// spec and what the pod record and the runtime say of its sandbox and containers, what one sync does.
// No I/O and no clock of its own, so every decision is table-tested (pod-actions.test.ts); pod-sync.ts
// carries a plan out against the runtime.
import type { Container, EphemeralContainer, Pod } from '../kube/types.js';
import type { ContainerState } from '../runtime/types.js';
import { nextBackoffSeconds, BACKOFF_RESET_SECONDS, INITIAL_BACKOFF_SECONDS } from './backoff.js';
import type { ContainerTrack } from './pod-record.js';

/** The runtime container of a container's current attempt, as far as the plan needs it. */
export interface ObservedContainer {
  readonly id: string;
  readonly state: ContainerState;
  readonly exitCode?: number;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** What its running probes say; undefined when none run (never started, or lost with a daemon restart). */
  readonly probes?: { readonly started: boolean };
}

export interface PodObservation {
  readonly pod: Pod;
  readonly deleting: boolean;
  /** The pod reached Succeeded or Failed: nothing runs again. */
  readonly terminal: boolean;
  /** The recorded sandbox: ready, there but not ready (its pause process died), or none. */
  readonly sandbox: 'ready' | 'changed' | 'absent';
  readonly sandboxAttempt: number;
  /** What the pod record says of each container (by name). */
  readonly tracks: Readonly<Record<string, ContainerTrack>>;
  /** The runtime record of each container's current attempt (by name); absent when it has none. */
  readonly containers: Readonly<Record<string, ObservedContainer | undefined>>;
  /** Ephemeral containers a client attaches to: their own command runs with its stdin and tty. */
  readonly attachedEphemerals: ReadonlySet<string>;
  /** Milliseconds since the epoch. */
  readonly now: number;
}

/** Everything one step needs besides the runtime. */
export type Step =
  /** Pull, create and start; `restart` counts an attempt (restartCount + 1). */
  | { readonly kind: 'start'; readonly container: Container; readonly restart: boolean; readonly backoffSeconds?: number }
  /** Start an ephemeral container once, idling under the pod's init when a client will exec into it. */
  | { readonly kind: 'startEphemeral'; readonly container: EphemeralContainer; readonly targetContainerId?: string; readonly idle: boolean }
  /** Start a container that was created but never started (a restart found it so). */
  | { readonly kind: 'launch'; readonly container: Container }
  /** The running container's spec changed (its image): killed and started again whatever the restart policy. */
  | { readonly kind: 'replace'; readonly container: Container; readonly containerId: string }
  /** CrashLoopBackOff: no restart before `until`; `announce` when this back-off is not recorded yet. */
  | {
      readonly kind: 'backoff';
      readonly container: Container;
      readonly until: string;
      readonly delaySeconds: number;
      readonly retryInMs: number;
      readonly announce: boolean;
    }
  /** A non-restartable init container failed under restartPolicy Never: the pod fails. */
  | { readonly kind: 'failPod'; readonly reason: string };

export interface ContainerActions {
  readonly kind: 'containers';
  /** Running containers whose probes do not run (adopted after a daemon restart). */
  readonly startProbes: readonly Container[];
  /** Init containers in order, up to the one the pod waits for. */
  readonly initSteps: readonly Step[];
  /** Every init container finished (or, for a sidecar, started): main containers may go. */
  readonly initialized: boolean;
  /** Run together, as the architecture's fast path wants (the kubelet starts them in a loop). */
  readonly mainSteps: readonly Step[];
  /** Run one after the other. */
  readonly ephemeralSteps: readonly Step[];
}

export type PodActions =
  | { readonly kind: 'terminate' }
  | { readonly kind: 'idle' }
  /**
   * The sandbox must be created, or re-created (the kubelet's SandboxChanged). The plan stops there: how
   * the containers ended when the old sandbox was killed decides their restarts, and only the runtime
   * knows that after the kill, so the executor plans again once the new sandbox is ready.
   */
  | { readonly kind: 'createSandbox'; readonly attempt: number; readonly replacing: boolean }
  | ContainerActions;

export function computePodActions(o: PodObservation): PodActions {
  if (o.deleting) return { kind: 'terminate' };
  if (o.terminal) return { kind: 'idle' };
  if (o.sandbox !== 'ready')
    return { kind: 'createSandbox', attempt: o.sandbox === 'changed' ? o.sandboxAttempt + 1 : o.sandboxAttempt, replacing: o.sandbox === 'changed' };
  const { spec } = o.pod;
  const startProbes = [...(spec.initContainers ?? []), ...spec.containers].filter((c) => {
    const observed = o.containers[c.name];
    return observed?.state === 'running' && observed.probes === undefined && hasProbes(c);
  });
  const initSteps: Step[] = [];
  for (const c of spec.initContainers ?? []) {
    const { steps, proceed } = c.restartPolicy === 'Always' ? planSidecar(o, c) : planInit(o, c);
    initSteps.push(...steps);
    if (!proceed) return { kind: 'containers', startProbes, initSteps, initialized: false, mainSteps: [], ephemeralSteps: [] };
  }
  const mainSteps = spec.containers.flatMap((c) => planMain(o, c));
  const ephemeralSteps = (spec.ephemeralContainers ?? []).flatMap((c) => planEphemeral(o, c));
  return { kind: 'containers', startProbes, initSteps, initialized: true, mainSteps, ephemeralSteps };
}

interface InitPlan {
  readonly steps: readonly Step[];
  /** The next init container (or the main containers) may go. */
  readonly proceed: boolean;
}

function trackOf(o: PodObservation, c: Container): ContainerTrack {
  return o.tracks[c.name] ?? { restartCount: 0 };
}

/** A regular init container runs to completion before the next one starts. */
function planInit(o: PodObservation, c: Container): InitPlan {
  const track = trackOf(o, c);
  const observed = o.containers[c.name];
  if (!observed) return { steps: [{ kind: 'start', container: c, restart: track.containerId !== undefined }], proceed: false };
  if (observed.state === 'created') return { steps: [{ kind: 'launch', container: c }], proceed: false };
  if (observed.state !== 'exited') return { steps: [], proceed: false };
  if (observed.exitCode === 0) return { steps: [], proceed: true };
  if (o.pod.spec.restartPolicy === 'Never') return { steps: [{ kind: 'failPod', reason: `Init container ${c.name} failed` }], proceed: false };
  return { steps: [restartStep(o, c, track, observed)], proceed: false };
}

/** A sidecar keeps running; with a startup probe it holds the next init container until it has started. */
function planSidecar(o: PodObservation, c: Container): InitPlan {
  const track = trackOf(o, c);
  const observed = o.containers[c.name];
  const afterStep = c.startupProbe === undefined;
  if (!observed) return { steps: [{ kind: 'start', container: c, restart: track.containerId !== undefined }], proceed: afterStep };
  if (observed.state === 'exited') return { steps: [restartStep(o, c, track, observed)], proceed: afterStep };
  if (observed.state === 'created') return { steps: [{ kind: 'launch', container: c }], proceed: afterStep };
  if (specChanged(c, track)) return { steps: [{ kind: 'replace', container: c, containerId: observed.id }], proceed: afterStep };
  // Probes that are about to start (adopted) report what fresh ones do: started only without a startup probe.
  return { steps: [], proceed: observed.probes?.started ?? c.startupProbe === undefined };
}

function planMain(o: PodObservation, c: Container): Step[] {
  const track = trackOf(o, c);
  const observed = o.containers[c.name];
  if (!observed) {
    // A tracked container without a record was removed with its sandbox: starting it again is a restart.
    const tracked = track.containerId !== undefined;
    return !tracked || shouldRestart(o.pod, track.lastTermination?.exitCode ?? 0) ? [{ kind: 'start', container: c, restart: tracked }] : [];
  }
  if (observed.state === 'created') return [{ kind: 'launch', container: c }];
  if (observed.state === 'running' && specChanged(c, track)) return [{ kind: 'replace', container: c, containerId: observed.id }];
  if (observed.state !== 'exited') return [];
  return shouldRestart(o.pod, observed.exitCode ?? 0) ? [restartStep(o, c, track, observed)] : [];
}

/** Ephemeral debug containers start once and are never restarted. */
function planEphemeral(o: PodObservation, c: EphemeralContainer): Step[] {
  const track = trackOf(o, c);
  if (track.containerId !== undefined || track.waiting !== undefined) return [];
  const targetContainerId = c.targetContainerName === undefined ? undefined : o.tracks[c.targetContainerName]?.containerId;
  const idle = (c.stdin === true || c.tty === true) && !o.attachedEphemerals.has(c.name);
  return [{ kind: 'startEphemeral', container: c, idle, ...(targetContainerId !== undefined ? { targetContainerId } : {}) }];
}

export function shouldRestart(pod: Pod, exitCode: number): boolean {
  const policy = pod.spec.restartPolicy ?? 'Always';
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

/** Restart an exited container, unless its CrashLoopBackOff delay has not passed since it exited. */
function restartStep(o: PodObservation, c: Container, track: ContainerTrack, exited: ObservedContainer): Step {
  const finished = Date.parse(exited.finishedAt ?? '') || o.now;
  const started = Date.parse(exited.startedAt ?? '') || finished;
  const ranSeconds = (finished - started) / 1000;
  const delay = track.backoffSeconds;
  if (delay !== undefined && ranSeconds < BACKOFF_RESET_SECONDS && o.now < finished + delay * 1000) {
    const until = new Date(finished + delay * 1000).toISOString();
    return { kind: 'backoff', container: c, until, delaySeconds: delay, retryInMs: finished + delay * 1000 - o.now, announce: track.backoffUntil !== until };
  }
  const backoffSeconds = delay === undefined ? INITIAL_BACKOFF_SECONDS : nextBackoffSeconds(delay, ranSeconds);
  return { kind: 'start', container: c, restart: true, backoffSeconds };
}

/**
 * The kubelet restarts a running container whose spec hash changed; the one field of a running pod's
 * container that can change is its image. A track from before images were recorded counts as unchanged.
 */
function specChanged(c: Container, track: ContainerTrack): boolean {
  return track.image !== undefined && track.image !== (c.image ?? '');
}

function hasProbes(c: Container): boolean {
  return c.startupProbe !== undefined || c.livenessProbe !== undefined || c.readinessProbe !== undefined;
}

/** activeDeadlineSeconds (counted from the pod's start): exceeded, or how long until it is. */
export function deadlineCheck(pod: Pod, startTime: string | undefined, now: number): { readonly exceeded: boolean; readonly inMs?: number } {
  const seconds = pod.spec.activeDeadlineSeconds;
  if (seconds === undefined || !startTime) return { exceeded: false };
  const deadline = Date.parse(startTime) + seconds * 1000;
  return now < deadline ? { exceeded: false, inMs: deadline - now } : { exceeded: true };
}

/** Job-like pods are done when every main container finished and none will restart. */
export function completionPhase(pod: Pod, mains: readonly (ObservedContainer | undefined)[]): 'Succeeded' | 'Failed' | undefined {
  const policy = pod.spec.restartPolicy;
  if (policy === 'Always' || mains.some((s) => s?.state !== 'exited')) return undefined;
  const failed = mains.some((s) => (s?.exitCode ?? 1) !== 0);
  if (policy === 'OnFailure' && failed) return undefined;
  return failed ? 'Failed' : 'Succeeded';
}

/**
 * The order a terminating pod stops its containers in, each stage after the one before, all within one
 * grace period: main containers together, then sidecars one by one in reverse order (the last started
 * stops first, as the kubelet does), then any init container still running.
 */
export function terminationStages(pod: Pod): Container[][] {
  const inits = pod.spec.initContainers ?? [];
  const sidecars = inits.filter((c) => c.restartPolicy === 'Always').reverse();
  const regular = inits.filter((c) => c.restartPolicy !== 'Always');
  return [[...pod.spec.containers], ...sidecars.map((c) => [c]), regular].filter((stage) => stage.length > 0);
}
