// The executor of the pod worker's plan (pod-actions.ts): one sync observes the pod, plans, and carries
// the plan out against the runtime — the sandbox (re)created, volumes set up or re-projected, the active
// deadline checked, then each container step (start, launch, back-off, fail the pod) in the plan's order.
import { join } from 'node:path';
import { errorMessage } from '../common/errors.js';
import type { Container } from '../kube/types.js';
import type { ContainerPreparation, ContainerRecord } from '../runtime/types.js';
import { ContainerStarter, terminationOf } from './container-start.js';
import { podLogDirectory, sandboxConfig } from './convert.js';
import { completionPhase, computePodActions, deadlineCheck, type ContainerActions, type ObservedContainer, type PodActions, type Step } from './pod-actions.js';
import { containerObject, RETRY_SETUP_MS, type PodContext } from './pod-context.js';
import type { PodProbes } from './pod-probes.js';
import type { PodRecord } from './pod-record.js';
import { stopContainer } from './pod-termination.js';
import { logTail, readTerminationFile } from './termination-message.js';
import { podVolumesDir, refreshProjectedVolumes, setUpVolumes, type PreparedVolumes } from './volumes/setup.js';
import { cleanSubPathStaging } from './volumes/subpath-staging.js';
import { podContainers } from '../kube/pod-containers.js';

/** Where an interactive ephemeral container's idle init (catatonit) is mounted. */
export const EPHEMERAL_INIT_PATH = '/.peapod-init';

export class PodSync {
  private volumes: PreparedVolumes | undefined;
  private readonly starter: ContainerStarter;

  constructor(
    private readonly ctx: PodContext,
    private readonly probes: PodProbes,
    /** Ephemeral containers whose own command runs with its stdin/tty for a client to attach to (kubectl debug). */
    private readonly attachedEphemerals: ReadonlySet<string>,
    /** Terminates a pod whose deletion was requested. */
    private readonly terminate: (record: PodRecord) => Promise<void>,
  ) {
    this.starter = new ContainerStarter(ctx, probes, () => this.volumes);
  }

  /** One sync: observe, plan, carry the plan out. */
  async sync(): Promise<void> {
    const record = await this.adoptSandbox(this.ctx.record);
    if (!record) return;
    let plan = this.plan(record);
    if (plan.kind === 'terminate') return this.terminate(record);
    const allContainers = [...(record.pod.spec.initContainers ?? []), ...record.pod.spec.containers];
    // Exits can land while a sync runs, up to the one that makes the pod terminal: collect every time.
    await this.collectTerminationMessages(allContainers);
    if (plan.kind === 'idle') return;
    // Probes only run while their container does.
    this.probes.stop((id) => this.ctx.runtime.containers.get(id)?.state === 'running');
    let volumesReady = false;
    if (plan.kind === 'createSandbox') {
      // The kubelet mounts a pod's volumes before it makes its sandbox (WaitForAttachAndMount, then SyncPod):
      // the containers' requests are then known in time to be created beside the pause.
      volumesReady = await this.ensureVolumes();
      if (!volumesReady || !(await this.createSandbox(record, plan.attempt, plan.replacing))) return;
      const recreated = this.ctx.record;
      if (!recreated) return;
      plan = this.plan(recreated);
    }
    if (plan.kind !== 'containers') return;
    const sandboxId = this.ctx.record?.sandboxId;
    if (sandboxId === undefined || !(volumesReady || (await this.ensureVolumes()))) return;
    if (await this.checkDeadline()) return;
    await this.execute(sandboxId, plan);
    if (!plan.initialized) return;
    await this.collectTerminationMessages(allContainers);
    await this.checkCompletion();
  }

  /**
   * A daemon killed between a sandbox's `ready` write and the pod record's left a ready sandbox the record
   * does not name: adopt it rather than make a second one beside it (the kubelet finds a pod's sandboxes
   * by its UID), as a container created but not recorded is adopted. Its pause was never restarted.
   */
  private async adoptSandbox(record: PodRecord | undefined): Promise<PodRecord | undefined> {
    const { runtime } = this.ctx;
    if (!record || record.deletion !== undefined || (record.sandboxId !== undefined && runtime.sandboxes.get(record.sandboxId))) return record;
    const found = runtime.sandboxes.list().find((s) => s.config.uid === this.ctx.uid && s.state === 'ready');
    if (!found) return record;
    const now = this.ctx.deps.now().toISOString();
    return this.ctx.update((r) => ({ ...r, sandboxId: found.id, sandboxAttempt: found.config.attempt, startTime: r.startTime ?? now }));
  }

  /** What the pod record and the runtime say now, planned (as if the sandbox were `sandboxState`, when given). */
  private plan(record: PodRecord, sandboxState?: 'ready'): PodActions {
    const { runtime } = this.ctx;
    const sandbox = record.sandboxId === undefined ? undefined : runtime.sandboxes.get(record.sandboxId);
    const { spec } = record.pod;
    const containers: Record<string, ObservedContainer | undefined> = {};
    for (const c of podContainers(spec)) {
      const id = record.containers[c.name]?.containerId;
      const observed = id === undefined ? undefined : runtime.containers.get(id);
      containers[c.name] = observed ? this.observed(observed) : undefined;
    }
    return computePodActions({
      pod: record.pod,
      deleting: record.deletion !== undefined,
      terminal: record.terminalPhase !== undefined,
      sandbox: sandboxState ?? (sandbox === undefined ? 'absent' : sandbox.state === 'ready' ? 'ready' : 'changed'),
      sandboxAttempt: record.sandboxAttempt,
      tracks: record.containers,
      containers,
      attachedEphemerals: this.attachedEphemerals,
      now: this.ctx.deps.now().getTime(),
    });
  }

  private observed(r: ContainerRecord): ObservedContainer {
    const probes = this.probes.state(r.id);
    return {
      id: r.id,
      state: r.state,
      ...(r.exit ? { exitCode: r.exit.exitCode, finishedAt: r.exit.finishedAt } : {}),
      ...(r.startedAt !== undefined ? { startedAt: r.startedAt } : {}),
      ...(probes ? { probes: { started: probes.started } } : {}),
    };
  }

  /** Init steps in order, main containers together, ephemeral containers one by one. */
  private async execute(sandboxId: string, plan: ContainerActions): Promise<void> {
    // Containers adopted after a daemon restart get their probes back.
    for (const c of plan.startProbes) {
      const running = this.ctx.current(c).record;
      if (running) this.probes.start(c, running.id);
    }
    for (const step of plan.initSteps) await this.step(sandboxId, step);
    await Promise.all(plan.mainSteps.map((step) => this.step(sandboxId, step)));
    for (const step of plan.ephemeralSteps) await this.step(sandboxId, step);
  }

  private async step(sandboxId: string, step: Step): Promise<void> {
    switch (step.kind) {
      case 'start': {
        const { track } = this.ctx.current(step.container);
        const next = step.backoffSeconds === undefined ? track : { ...track, backoffSeconds: step.backoffSeconds };
        await this.starter.start(sandboxId, step.container, next, step.restart);
        return;
      }
      case 'launch': {
        const { track, record } = this.ctx.current(step.container);
        if (record) await this.starter.launch(step.container, track, record);
        return;
      }
      case 'replace':
        return this.replace(sandboxId, step);
      case 'backoff':
        return this.backOff(step);
      case 'startEphemeral':
        await this.startEphemeral(sandboxId, step);
        return;
      case 'failPod':
        return this.finish('Failed', step.reason);
    }
  }

  /** The kubelet's "definition changed": the old container killed (preStop first), the new spec started at once. */
  private async replace(sandboxId: string, step: Extract<Step, { kind: 'replace' }>): Promise<void> {
    const c = step.container;
    await this.ctx.event('Normal', 'Killing', `Container ${c.name} definition changed, will be restarted`, containerObject(c));
    this.probes.stop((id) => id !== step.containerId);
    const deadline = Date.now() + (this.ctx.record?.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    await stopContainer(this.ctx, this.probes, c, step.containerId, () => Math.max(0, deadline - Date.now()));
    await this.starter.start(sandboxId, c, this.ctx.current(c).track, true);
  }

  private async backOff(step: Extract<Step, { kind: 'backoff' }>): Promise<void> {
    const c = step.container;
    if (step.announce) {
      const { track } = this.ctx.current(c);
      const message = `back-off ${step.delaySeconds}s restarting failed container=${c.name} pod=${this.ctx.record?.pod.metadata.name ?? ''}`;
      await this.ctx.setTrack(c.name, { ...track, backoffUntil: step.until, waiting: { reason: 'CrashLoopBackOff', message } });
      await this.ctx.event('Warning', 'BackOff', 'Back-off restarting failed container', containerObject(c));
    }
    this.ctx.schedule(step.retryInMs);
  }

  /**
   * With `peapod debug -it` the container's PID 1 is catatonit (bind-mounted from the host, as in the
   * pause container) so the CLI can exec the user's command with a real terminal; otherwise the command
   * itself runs and logs.
   */
  private async startEphemeral(sandboxId: string, step: Extract<Step, { kind: 'startEphemeral' }>): Promise<void> {
    const { track } = this.ctx.current(step.container);
    const pausePath = this.ctx.runtime.pauseBinaryPath;
    await this.starter.start(sandboxId, step.container, track, false, (config) => ({
      ...config,
      ...(step.targetContainerId !== undefined ? { targetContainerId: step.targetContainerId } : {}),
      ...(step.idle
        ? {
            command: [EPHEMERAL_INIT_PATH, '-P'],
            args: [],
            mounts: [...config.mounts, { containerPath: EPHEMERAL_INIT_PATH, hostPath: pausePath, readOnly: true }],
            tty: false,
            stdin: false,
          }
        : {}),
    }));
  }

  /** A new sandbox; the one it replaces (its pause process died) is killed first, the kubelet's SandboxChanged. */
  private async createSandbox(record: PodRecord, attempt: number, replacing: boolean): Promise<boolean> {
    const { runtime } = this.ctx;
    const existing = record.sandboxId === undefined ? undefined : runtime.sandboxes.get(record.sandboxId);
    if (replacing && existing) {
      await this.ctx.event('Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.', 'pod');
      await runtime.stopPodSandbox(existing.id, 0);
      // The containers die with their sandbox: keep how each ended for lastState and the restart policy.
      for (const [name, track] of Object.entries(record.containers)) {
        const old = track.containerId === undefined ? undefined : runtime.containers.get(track.containerId);
        if (old?.exit) await this.ctx.setTrack(name, { ...track, lastTermination: terminationOf(old, old.exit) });
      }
      await runtime.removePodSandbox(existing.id);
    }
    try {
      const prepare = replacing ? [] : await this.preparations(record);
      const sandbox = await runtime.runPodSandbox(sandboxConfig(record.pod, attempt, this.ctx.deps.ctx), prepare);
      const now = this.ctx.deps.now().toISOString();
      await this.ctx.update((r) => ({ ...r, sandboxId: sandbox.id, sandboxAttempt: attempt, startTime: r.startTime ?? now }));
      const forwarding = sandbox.config.network === 'pod' ? await runtime.networkForwardingProblem() : undefined;
      if (forwarding !== undefined) await this.ctx.event('Warning', 'IPForwardingDisabled', forwarding, 'pod');
      return true;
    } catch (err) {
      await this.ctx.event('Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${errorMessage(err)}`, 'pod');
      this.ctx.schedule(RETRY_SETUP_MS);
      return false;
    }
  }

  /**
   * The containers a fresh sandbox starts first (the plan as if it were ready: the first init container,
   * or the main ones), whose image is here and not to be pulled again: the runtime makes their rootfs while
   * it makes the sandbox. A re-created sandbox's plan depends on how the old containers ended: none then.
   */
  private async preparations(record: PodRecord): Promise<ContainerPreparation[]> {
    const plan = this.plan(record, 'ready');
    if (plan.kind !== 'containers') return [];
    const prepare: ContainerPreparation[] = [];
    for (const step of [...plan.initSteps, ...plan.mainSteps]) {
      if (step.kind !== 'start' || step.container.imagePullPolicy === 'Always') continue;
      const image = await this.ctx.deps.images.find(step.container.image ?? '').catch(() => undefined);
      if (!image) continue;
      const { restartCount } = this.ctx.current(step.container).track;
      const attempt = step.restart ? restartCount + 1 : restartCount;
      // The pod's PID namespace is the pause's: nothing of it can be created before the pause.
      const request = record.pod.spec.shareProcessNamespace === true ? undefined : this.starter.requestAhead(step.container, image, attempt);
      prepare.push({ name: step.container.name, attempt, image, ...(request ? { request } : {}) });
    }
    return prepare;
  }

  private async ensureVolumes(): Promise<boolean> {
    const record = this.ctx.record;
    if (!record) return false;
    const { deps, uid } = this.ctx;
    if (this.volumes) {
      // Level-triggered: every sync re-projects from the current ConfigMaps, Secrets and pod fields; an unchanged payload costs a compare.
      const problems = await refreshProjectedVolumes(record.pod, podVolumesDir(deps.podsRoot, uid), this.ctx.lookups());
      for (const problem of problems) deps.log(`pod ${uid}: keeping the last content of volume ${problem}`);
      return true;
    }
    try {
      // A daemon that died between a subPath staging bind and its undo left it mounted.
      await cleanSubPathStaging(join(deps.podsRoot, uid), deps.volumeOps);
      this.volumes = await setUpVolumes(record.pod, podVolumesDir(deps.podsRoot, uid), this.ctx.lookups(), deps.volumeOps);
      return true;
    } catch (err) {
      await this.ctx.event('Warning', 'FailedMount', `MountVolume.SetUp failed: ${errorMessage(err)}`, 'pod');
      this.ctx.schedule(RETRY_SETUP_MS);
      return false;
    }
  }

  /** activeDeadlineSeconds: past it, the pod fails with reason DeadlineExceeded. */
  private async checkDeadline(): Promise<boolean> {
    const record = this.ctx.record;
    if (!record) return false;
    const check = deadlineCheck(record.pod, record.startTime, this.ctx.deps.now().getTime());
    if (check.inMs !== undefined) this.ctx.schedule(check.inMs);
    if (!check.exceeded) return false;
    await this.ctx.event('Normal', 'DeadlineExceeded', 'Pod was active on the node longer than the specified deadline', 'pod');
    await this.ctx.update((r) => ({ ...r, terminalReason: 'DeadlineExceeded' }));
    await this.finish('Failed', 'Pod was active on the node longer than the specified deadline');
    return true;
  }

  /** Termination messages of exited containers, read once from their file (or the log, on error). */
  private async collectTerminationMessages(containers: readonly Container[]): Promise<void> {
    const record = this.ctx.record;
    if (!record) return;
    const { deps, uid } = this.ctx;
    for (const c of containers) {
      const cr = this.ctx.current(c).record;
      if (cr?.state !== 'exited' || !cr.exit || cr.exit.message !== undefined) continue;
      let message = await readTerminationFile(join(deps.podsRoot, uid, 'containers', c.name, `${cr.config.attempt}-termination-log`));
      if (message === '' && c.terminationMessagePolicy === 'FallbackToLogsOnError' && cr.exit.exitCode !== 0) {
        message = await logTail(join(podLogDirectory(deps.ctx.logRoot, record.pod), cr.config.logPath));
      }
      await this.ctx.runtime.setExitMessage(cr.id, message);
    }
  }

  private async checkCompletion(): Promise<void> {
    const record = this.ctx.record;
    if (!record) return;
    const mains = record.pod.spec.containers.map((c) => {
      const r = this.ctx.current(c).record;
      return r ? this.observed(r) : undefined;
    });
    const phase = completionPhase(record.pod, mains);
    if (phase) await this.finish(phase, undefined);
  }

  /** A terminal pod stops its remaining containers (sidecars) and its sandbox, keeping records for status and logs. */
  async finish(phase: 'Succeeded' | 'Failed', reason: string | undefined): Promise<void> {
    const sandboxId = this.ctx.record?.sandboxId;
    await this.ctx.update((r) => ({ ...r, terminalPhase: phase, ...(reason ? { terminalReason: reason } : {}) }));
    if (sandboxId !== undefined) {
      await this.ctx.runtime.stopPodSandbox(sandboxId, (this.ctx.record?.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000);
    }
  }
}
