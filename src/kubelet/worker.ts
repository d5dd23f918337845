// One async loop per pod (the kubelet's pod worker without goroutines): a dirty flag coalesces
// requests so only the latest state is synced; each sync compares the pod's spec with what the runtime
// records say and takes the next steps (sandbox, init containers in order, sidecars, main containers,
// restarts with CrashLoopBackOff, termination).
import { PeapodError, errorMessage } from '../common/errors.js';
import type { Container, EphemeralContainer, Pod } from '../kube/types.js';
import type { ImageRecord, ImageService } from '../image/types.js';
import type { RuntimeService } from '../runtime/service.js';
import type { ContainerRecord, ContainerRequest } from '../runtime/types.js';
import type { RecordStore } from '../store/record-store.js';
import { containerConfig, containerSubPaths, sandboxConfig, type ConvertContext } from './convert.js';
import { nextBackoffSeconds, BACKOFF_RESET_SECONDS, INITIAL_BACKOFF_SECONDS } from './backoff.js';
import type { ContainerTrack, PodRecord, TerminationInfo } from './pod-record.js';
import { withEvent } from './pod-record.js';
import type { ObjectStore } from './objects.js';
import { refreshProjectedVolumes, setUpVolumes, tearDownVolumes, podVolumesDir, type PreparedVolumes, type VolumeLookups } from './volumes/setup.js';
import { cleanSubPathStaging, stageSubPaths, subPathStagingRoot, type StagedSubPaths } from './volumes/subpath-staging.js';
import type { VolumeHostOps } from './volumes/host-ops.js';
import { downwardField } from './downward.js';
import { ContainerProbes, type ProbeTransition } from './probes/container-probes.js';
import { runHook } from './hooks.js';
import { logTail, readTerminationFile } from './termination-message.js';
import type { ProbeTarget } from './probes/run-probe.js';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { removeLogFiles } from '../runtime/logs/rotated.js';
import { join } from 'node:path';
import { podLogDirectory } from './convert.js';
import type { RecordWriteOptions } from '../store/record-store.js';

export interface WorkerDeps {
  readonly runtime: RuntimeService;
  readonly images: ImageService;
  readonly objects: ObjectStore;
  readonly pods: RecordStore<PodRecord>;
  readonly ctx: ConvertContext;
  readonly podsRoot: string;
  readonly volumeOps: VolumeHostOps;
  readonly now: () => Date;
  readonly log: (message: string) => void;
  readonly onChange: (uid: string) => void;
  readonly onRemoved: (uid: string) => void;
}

/** Where an interactive ephemeral container's idle init (catatonit) is mounted. */
export const EPHEMERAL_INIT_PATH = '/.peapod-init';
/** A postStart hook gets this long before it counts as failed. */
const POST_START_TIMEOUT_MS = 30_000;
/** Retry delay after a failed sandbox or volume setup. */
const RETRY_SETUP_MS = 5_000;

type Progress = 'wait' | 'continue';

export class PodWorker {
  private dirty = false;
  private running: Promise<void> | undefined;
  /** Ephemeral containers whose own command runs with its stdin/tty for a client to attach to (kubectl debug). */
  private readonly attachedEphemerals = new Set<string>();

  attachEphemeral(name: string): void {
    this.attachedEphemerals.add(name);
  }

  /** Kills after a failed liveness/startup probe, run beside the sync loop; idle() waits for them too. */
  private readonly probeKills = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private volumes: PreparedVolumes | undefined;
  private removed = false;
  private readonly removedWaiters: (() => void)[] = [];
  /** Probes of running containers, by container ID. */
  private readonly probes = new Map<string, ContainerProbes>();

  constructor(
    private readonly deps: WorkerDeps,
    readonly uid: string,
  ) {}

  requestSync(): void {
    this.dirty = true;
    if (!this.running) this.running = this.loop().finally(() => (this.running = undefined));
  }

  /** Resolves once the pod is gone from the host (after deletion). */
  whenRemoved(): Promise<void> {
    if (this.removed) return Promise.resolve();
    return new Promise((resolve) => this.removedWaiters.push(resolve));
  }

  /** Resolves when no sync is in progress (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running || this.probeKills.size > 0) await Promise.all([this.running, ...this.probeKills]);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.removed = true;
    this.stopProbes();
  }

  /** What the probes say of a container: undefined when it has none running. */
  probeState(containerId: string): { started: boolean; ready: boolean; transitions: readonly ProbeTransition[] } | undefined {
    const probes = this.probes.get(containerId);
    return probes ? { started: probes.started, ready: probes.ready, transitions: probes.transitions } : undefined;
  }

  private stopProbes(keep?: (containerId: string) => boolean): void {
    for (const [id, probes] of this.probes) {
      if (keep?.(id)) continue;
      probes.stop();
      this.probes.delete(id);
    }
  }

  /** Where probes and hooks reach a container: the pod IP (127.0.0.1 with hostNetwork), named ports. */
  private probeTarget(c: Container, containerId: string): ProbeTarget {
    const record = this.record;
    const sandbox = record?.sandboxId === undefined ? undefined : this.deps.runtime.sandboxes.get(record.sandboxId);
    const host = sandbox?.config.network === 'node' ? '127.0.0.1' : (sandbox?.network?.ip ?? '127.0.0.1');
    const namedPorts = new Map((c.ports ?? []).filter((p) => p.name).map((p) => [p.name ?? '', p.containerPort]));
    return { containerId, host, namedPorts };
  }

  private readonly probeExec = {
    execSync: (id: string, command: readonly string[], timeoutMs: number) => this.deps.runtime.execSync(id, command, timeoutMs),
  };

  private startProbes(c: Container, containerId: string): void {
    if (!c.startupProbe && !c.livenessProbe && !c.readinessProbe) return;
    const object = `spec.containers{${c.name}}`;
    const probes = new ContainerProbes(containerId, c, this.probeTarget(c, containerId), this.probeExec, {
      changed: (kind, result, outcome) => {
        if (result === 'failure' && kind === 'readiness') {
          void this.event('Warning', 'Unhealthy', `Readiness probe failed: ${outcome.message ?? ''}`, object).catch(() => undefined);
        }
        // A started sidecar unblocks the next init container; readiness changes the status.
        this.requestSync();
      },
      unhealthy: (kind, outcome) => {
        const what = kind === 'liveness' ? 'Liveness' : 'Startup';
        probes.stop();
        const kill = (async () => {
          await this.event('Warning', 'Unhealthy', `${what} probe failed: ${outcome.message ?? ''}`, object);
          await this.event('Normal', 'Killing', `Container ${c.name} failed ${kind} probe, will be restarted`, object);
          const grace =
            (kind === 'liveness' ? c.livenessProbe : c.startupProbe)?.terminationGracePeriodSeconds ??
            this.record?.pod.spec.terminationGracePeriodSeconds ??
            30;
          await this.deps.runtime.stopContainer(containerId, grace * 1000);
        })()
          .catch((err: unknown) => this.killFailed(c, containerId, probes, kind, err))
          .finally(() => this.probeKills.delete(kill));
        this.probeKills.add(kill);
      },
    });
    this.probes.set(containerId, probes);
    probes.start();
  }

  /**
   * The kill after a failed liveness/startup probe failed, and the container may still run: it must
   * not be left unprobed. Its stopped probes are dropped so that a sync one period later starts them
   * again (as for an adopted container), and their next failure kills it again.
   */
  private killFailed(c: Container, containerId: string, probes: ContainerProbes, kind: 'liveness' | 'startup', err: unknown): void {
    this.deps.log(`pod ${this.uid}: restarting ${c.name} after a failed ${kind} probe: ${errorMessage(err)}`);
    void this.event(
      'Warning',
      'FailedKillPod',
      `error killing container ${c.name} after its failed ${kind} probe: ${errorMessage(err)}`,
      `spec.containers{${c.name}}`,
    ).catch(() => undefined);
    if (this.probes.get(containerId) === probes) this.probes.delete(containerId);
    const periodSeconds = (kind === 'liveness' ? c.livenessProbe : c.startupProbe)?.periodSeconds ?? 10;
    setTimeout(() => this.requestSync(), periodSeconds * 1000).unref();
  }

  private async loop(): Promise<void> {
    while (this.dirty && !this.removed) {
      this.dirty = false;
      try {
        await this.sync();
      } catch (err) {
        this.deps.log(`pod ${this.uid}: sync failed: ${errorMessage(err)}`);
        this.schedule(RETRY_SETUP_MS);
      }
      this.deps.onChange(this.uid);
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.requestSync(), Math.max(0, delayMs));
    this.timer.unref();
  }

  private get record(): PodRecord | undefined {
    return this.deps.pods.get(this.uid);
  }

  private async update(fn: (r: PodRecord) => PodRecord, options: RecordWriteOptions = {}): Promise<PodRecord> {
    return this.deps.pods.update(this.uid, fn, options);
  }

  /** An event's data is fsynced but not its rename: a power loss may drop the newest events, never the pod. */
  private async event(type: 'Normal' | 'Warning', reason: string, message: string, object: string): Promise<void> {
    const now = this.deps.now();
    await this.update((r) => withEvent(r, { type, reason, message, object }, now), { sync: 'data' });
  }

  private async sync(): Promise<void> {
    const record = this.record;
    if (!record) return;
    if (record.deletion) {
      await this.terminate(record);
      return;
    }
    const allContainers = [...(record.pod.spec.initContainers ?? []), ...record.pod.spec.containers];
    // Exits can land while a sync runs, up to the one that makes the pod terminal: collect every time.
    await this.collectTerminationMessages(allContainers);
    if (record.terminalPhase) return;
    // Probes only run while their container does.
    this.stopProbes((id) => this.deps.runtime.containers.get(id)?.state === 'running');
    const sandboxId = await this.ensureSandbox(record);
    if (sandboxId === undefined) return;
    if (!(await this.ensureVolumes())) return;
    if (await this.checkDeadline()) return;
    const pod = record.pod;
    // Containers adopted after a daemon restart get their probes back.
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      const running = this.current(c).record;
      if (running?.state === 'running' && !this.probes.has(running.id)) this.startProbes(c, running.id);
    }
    for (const c of pod.spec.initContainers ?? []) {
      const progress = c.restartPolicy === 'Always' ? await this.syncSidecar(sandboxId, c) : await this.syncInit(sandboxId, c);
      if (progress === 'wait') return;
    }
    // Main containers start together, as the architecture's fast path wants (the kubelet starts them in a loop).
    await Promise.all(pod.spec.containers.map((c) => this.syncMain(sandboxId, c)));
    for (const c of pod.spec.ephemeralContainers ?? []) await this.syncEphemeral(sandboxId, c);
    await this.collectTerminationMessages(allContainers);
    await this.checkCompletion();
  }

  private async ensureSandbox(record: PodRecord): Promise<string | undefined> {
    const { runtime } = this.deps;
    const existing = record.sandboxId === undefined ? undefined : runtime.sandboxes.get(record.sandboxId);
    if (existing?.state === 'ready') return existing.id;
    if (existing) {
      await this.event('Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.', 'pod');
      await runtime.stopPodSandbox(existing.id, 0);
      // The containers die with their sandbox: keep how each ended for lastState and the restart policy.
      for (const [name, track] of Object.entries(record.containers)) {
        const old = track.containerId === undefined ? undefined : runtime.containers.get(track.containerId);
        if (old?.exit) await this.setTrack(name, { ...track, lastTermination: terminationOf(old, old.exit) });
      }
      await runtime.removePodSandbox(existing.id);
    }
    const attempt = existing ? record.sandboxAttempt + 1 : record.sandboxAttempt;
    try {
      const sandbox = await runtime.runPodSandbox(sandboxConfig(record.pod, attempt, this.deps.ctx));
      const now = this.deps.now().toISOString();
      await this.update((r) => ({ ...r, sandboxId: sandbox.id, sandboxAttempt: attempt, startTime: r.startTime ?? now }));
      const forwarding = sandbox.config.network === 'pod' ? await runtime.networkForwardingProblem() : undefined;
      if (forwarding !== undefined) await this.event('Warning', 'IPForwardingDisabled', forwarding, 'pod');
      return sandbox.id;
    } catch (err) {
      await this.event('Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${errorMessage(err)}`, 'pod');
      this.schedule(RETRY_SETUP_MS);
      return undefined;
    }
  }

  private lookups(): VolumeLookups {
    const record = this.record;
    const sandbox = record?.sandboxId === undefined ? undefined : this.deps.runtime.sandboxes.get(record.sandboxId);
    return {
      configMap: (ns, name) => this.deps.objects.configMap(ns, name),
      secret: (ns, name) => this.deps.objects.secret(ns, name),
      field: (path) => (record ? downwardField(record.pod, path, sandbox?.network?.ip) : undefined),
    };
  }

  private async ensureVolumes(): Promise<boolean> {
    const record = this.record;
    if (!record) return false;
    if (this.volumes) {
      // Level-triggered: every sync re-projects from the current ConfigMaps, Secrets and pod fields; an unchanged payload costs a compare.
      const problems = await refreshProjectedVolumes(record.pod, podVolumesDir(this.deps.podsRoot, this.uid), this.lookups());
      for (const problem of problems) this.deps.log(`pod ${this.uid}: keeping the last content of volume ${problem}`);
      return true;
    }
    try {
      // A daemon that died between a subPath staging bind and its undo left it mounted.
      await cleanSubPathStaging(join(this.deps.podsRoot, this.uid), this.deps.volumeOps);
      this.volumes = await setUpVolumes(record.pod, podVolumesDir(this.deps.podsRoot, this.uid), this.lookups(), this.deps.volumeOps);
      return true;
    } catch (err) {
      await this.event('Warning', 'FailedMount', `MountVolume.SetUp failed: ${errorMessage(err)}`, 'pod');
      this.schedule(RETRY_SETUP_MS);
      return false;
    }
  }

  private current(c: Container): { track: ContainerTrack; record: ContainerRecord | undefined } {
    const track = this.record?.containers[c.name] ?? { restartCount: 0 };
    const record = track.containerId === undefined ? undefined : this.deps.runtime.containers.get(track.containerId);
    return { track, record };
  }

  private async syncInit(sandboxId: string, c: Container): Promise<Progress> {
    const { track, record } = this.current(c);
    if (!record) return (await this.start(sandboxId, c, track, track.containerId !== undefined)) ? 'wait' : 'wait';
    if (record.state === 'created') {
      await this.launch(c, track, record);
      return 'wait';
    }
    if (record.state !== 'exited') return 'wait';
    if (record.exit?.exitCode === 0) return 'continue';
    if (this.record?.pod.spec.restartPolicy === 'Never') {
      await this.finish('Failed', `Init container ${c.name} failed`);
      return 'wait';
    }
    await this.restartWithBackoff(sandboxId, c, track, record);
    return 'wait';
  }

  /** A sidecar keeps running; with a startup probe it gates the next init container until it has started. */
  private async syncSidecar(sandboxId: string, c: Container): Promise<Progress> {
    const { track, record } = this.current(c);
    if (!record) {
      await this.start(sandboxId, c, track, track.containerId !== undefined);
      return c.startupProbe ? 'wait' : 'continue';
    }
    if (record.state === 'exited') {
      await this.restartWithBackoff(sandboxId, c, track, record);
      return c.startupProbe ? 'wait' : 'continue';
    }
    if (record.state === 'created') {
      await this.launch(c, track, record);
      return c.startupProbe ? 'wait' : 'continue';
    }
    const probes = this.probeState(record.id);
    return probes && !probes.started ? 'wait' : 'continue';
  }

  private async syncMain(sandboxId: string, c: Container): Promise<void> {
    const { track, record } = this.current(c);
    if (!record) {
      // A tracked container without a record was removed with its sandbox: starting it again is a restart.
      if (track.containerId === undefined || this.shouldRestart(track.lastTermination?.exitCode ?? 0))
        await this.start(sandboxId, c, track, track.containerId !== undefined);
      return;
    }
    if (record.state === 'created') {
      await this.launch(c, track, record);
      return;
    }
    if (record.state !== 'exited') return;
    if (this.shouldRestart(record.exit?.exitCode ?? 0)) await this.restartWithBackoff(sandboxId, c, track, record);
  }

  /**
   * Ephemeral debug containers start once and are never restarted. With `peapod debug -it` the
   * container's PID 1 is catatonit (bind-mounted from the host, as in the pause container) so the CLI can
   * exec the user's command with a real terminal; otherwise the command itself runs and logs.
   */
  private async syncEphemeral(sandboxId: string, c: EphemeralContainer): Promise<void> {
    const { track } = this.current(c);
    if (track.containerId !== undefined || track.waiting !== undefined) return;
    const target = c.targetContainerName === undefined ? undefined : this.record?.containers[c.targetContainerName]?.containerId;
    const interactive = (c.stdin === true || c.tty === true) && !this.attachedEphemerals.has(c.name);
    await this.start(sandboxId, c, track, false, (config) => ({
      ...config,
      ...(target !== undefined ? { targetContainerId: target } : {}),
      ...(interactive
        ? {
            command: [EPHEMERAL_INIT_PATH, '-P'],
            args: [],
            mounts: [...config.mounts, { containerPath: EPHEMERAL_INIT_PATH, hostPath: this.deps.runtime.pauseBinaryPath, readOnly: true }],
            tty: false,
            stdin: false,
          }
        : {}),
    }));
  }

  private shouldRestart(exitCode: number): boolean {
    const policy = this.record?.pod.spec.restartPolicy ?? 'Always';
    return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
  }

  private async restartWithBackoff(sandboxId: string, c: Container, track: ContainerTrack, exited: ContainerRecord): Promise<void> {
    const now = this.deps.now().getTime();
    const finished = Date.parse(exited.exit?.finishedAt ?? '') || now;
    const started = Date.parse(exited.startedAt ?? '') || finished;
    const ranSeconds = (finished - started) / 1000;
    const delay = track.backoffSeconds;
    if (delay !== undefined && ranSeconds < BACKOFF_RESET_SECONDS && now < finished + delay * 1000) {
      const until = new Date(finished + delay * 1000).toISOString();
      if (track.backoffUntil !== until) {
        await this.setTrack(c.name, {
          ...track,
          backoffUntil: until,
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off ${delay}s restarting failed container=${c.name} pod=${this.record?.pod.metadata.name ?? ''}`,
          },
        });
        await this.event('Warning', 'BackOff', 'Back-off restarting failed container', `spec.containers{${c.name}}`);
      }
      this.schedule(finished + delay * 1000 - now);
      return;
    }
    const next = delay === undefined ? INITIAL_BACKOFF_SECONDS : nextBackoffSeconds(delay, ranSeconds);
    await this.start(sandboxId, c, { ...track, backoffSeconds: next }, true);
  }

  /** Like an event (see event()): a container's track is status, which a reboot resets (every container starts again). */
  private async setTrack(name: string, track: ContainerTrack): Promise<void> {
    await this.update((r) => ({ ...r, containers: { ...r.containers, [name]: track } }), { sync: 'data' });
  }

  /** The container's image, pulled per its policy; undefined (and the waiting reason set) when the pull failed. */
  private async pull(c: Container, track: ContainerTrack): Promise<ImageRecord | undefined> {
    const object = `spec.containers{${c.name}}`;
    try {
      const present = await this.deps.images.find(c.image ?? '');
      if (!present || c.imagePullPolicy === 'Always') await this.event('Normal', 'Pulling', `Pulling image "${c.image ?? ''}"`, object);
      const image = await this.deps.images.ensure(c.image ?? '', c.imagePullPolicy ?? 'IfNotPresent');
      if (!present) await this.event('Normal', 'Pulled', `Successfully pulled image "${c.image ?? ''}"`, object);
      return image;
    } catch (err) {
      // The kubelet shows ErrImagePull for a failed pull and ImagePullBackOff while it waits to retry.
      const again = track.waiting?.reason === 'ErrImagePull' || track.waiting?.reason === 'ImagePullBackOff';
      await this.setTrack(c.name, { ...track, waiting: { reason: again ? 'ImagePullBackOff' : 'ErrImagePull', message: errorMessage(err) } });
      await this.event('Warning', 'Failed', `Failed to pull image "${c.image ?? ''}": ${errorMessage(err)}`, object);
      this.schedule(RETRY_SETUP_MS);
      return undefined;
    }
  }

  /** Pull, create and start one container; failures become the kubelet's waiting reasons. */
  private async start(
    sandboxId: string,
    c: Container,
    track: ContainerTrack,
    restart: boolean,
    adjust?: (config: ContainerRequest) => ContainerRequest,
  ): Promise<boolean> {
    const record = this.record;
    if (!record || !this.volumes) return false;
    const object = `spec.containers{${c.name}}`;
    const attempt = restart ? track.restartCount + 1 : track.restartCount;
    const image = await this.pull(c, track);
    if (!image) return false;
    let staging: StagedSubPaths | undefined;
    let created: ContainerRecord;
    let orphan: ContainerRecord | undefined;
    try {
      let config;
      try {
        const input = { pod: record.pod, container: c, image, attempt, volumes: this.volumes, lookups: this.lookups(), ctx: this.deps.ctx };
        staging = await stageSubPaths(containerSubPaths(input), join(subPathStagingRoot(join(this.deps.podsRoot, this.uid)), c.name), this.deps.volumeOps);
        const terminationLogHostPath = await this.terminationLogFile(c.name, attempt);
        config = containerConfig({ ...input, terminationLogHostPath, subPathSources: staging.sources });
        if (adjust) config = adjust(config);
      } catch (err) {
        await this.setTrack(c.name, { ...track, waiting: { reason: 'CreateContainerConfigError', message: errorMessage(err) } });
        await this.event('Warning', 'Failed', `Error: ${errorMessage(err)}`, object);
        this.schedule(RETRY_SETUP_MS);
        return false;
      }
      // A daemon killed between creating this attempt and recording it left the container behind: adopt
      // it rather than trip over its name (the runtime's records are the truth, the track follows them).
      orphan = this.deps.runtime.containersOf(sandboxId).find((r) => r.config.name === c.name && r.config.attempt === attempt && r.id !== track.containerId);
      try {
        created = orphan ?? (await this.deps.runtime.createContainer(sandboxId, config, image));
      } catch (err) {
        await this.setTrack(c.name, { ...track, waiting: { reason: 'CreateContainerError', message: errorMessage(err) } });
        await this.event('Warning', 'Failed', `Error: ${errorMessage(err)}`, object);
        this.schedule(RETRY_SETUP_MS);
        return false;
      }
    } finally {
      // runc has its own copy of each subPath bind in the container's mount namespace by now.
      await staging?.undo().catch((err: unknown) => this.deps.log(`pod ${this.uid}: undoing subPath staging of ${c.name}: ${errorMessage(err)}`));
    }
    const old = track.containerId === undefined ? undefined : this.deps.runtime.containers.get(track.containerId);
    // Keep exactly one dead attempt for lastState and `logs --previous`, as the kubelet does.
    if (track.previousContainerId !== undefined && track.previousContainerId !== track.containerId) {
      const dead = this.deps.runtime.containers.get(track.previousContainerId);
      await this.deps.runtime.removeContainer(track.previousContainerId);
      // Its log goes with it, as the kubelet's container GC removes a dead container's log.
      if (dead) await removeLogFiles(join(podLogDirectory(this.deps.ctx.logRoot, record.pod), dead.config.logPath));
    }
    const next: ContainerTrack = {
      restartCount: attempt,
      containerId: created.id,
      ...(track.containerId !== undefined ? { previousContainerId: track.containerId } : {}),
      ...(old?.exit ? { lastTermination: terminationOf(old, old.exit) } : track.lastTermination ? { lastTermination: track.lastTermination } : {}),
      ...(track.backoffSeconds !== undefined ? { backoffSeconds: track.backoffSeconds } : {}),
    };
    await this.setTrack(c.name, next);
    if (!orphan) await this.event('Normal', 'Created', `Created container ${c.name}`, object);
    if (created.state !== 'created') return created.state === 'running';
    return this.launch(c, next, created);
  }

  /** Starts a created container: right after creating it, or after a restart found it never started. */
  private async launch(c: Container, track: ContainerTrack, created: ContainerRecord): Promise<boolean> {
    const object = `spec.containers{${c.name}}`;
    const { waiting: failed, ...next } = track;
    try {
      await this.deps.runtime.startContainer(created.id);
      if (failed !== undefined) await this.setTrack(c.name, next);
      await this.event('Normal', 'Started', `Started container ${c.name}`, object);
      if (c.lifecycle?.postStart && !(await this.postStart(c, created.id))) return false;
      this.startProbes(c, created.id);
      return true;
    } catch (err) {
      await this.setTrack(c.name, { ...next, waiting: { reason: 'RunContainerError', message: errorMessage(err) } });
      await this.event('Warning', 'Failed', `Error: ${errorMessage(err)}`, object);
      this.schedule(RETRY_SETUP_MS);
      return false;
    }
  }

  /** An empty file per attempt, bind-mounted at terminationMessagePath; removed with the pod's directory. */
  private async terminationLogFile(name: string, attempt: number): Promise<string> {
    const dir = join(this.deps.podsRoot, this.uid, 'containers', name);
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const path = join(dir, `${attempt}-termination-log`);
    await writeFile(path, '', { mode: 0o666 });
    return path;
  }

  /** postStart: a failed hook kills the container (FailedPostStartHook); its restart policy decides what next. */
  private async postStart(c: Container, containerId: string): Promise<boolean> {
    const handler = c.lifecycle?.postStart;
    if (!handler) return true;
    const grace = (this.record?.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    const outcome = await runHook(handler, this.probeTarget(c, containerId), this.probeExec, POST_START_TIMEOUT_MS);
    if (outcome.result === 'success') return true;
    const object = `spec.containers{${c.name}}`;
    await this.event('Warning', 'FailedPostStartHook', `PostStartHook failed: ${outcome.message ?? ''}`, object);
    await this.deps.runtime.stopContainer(containerId, grace);
    return false;
  }

  /** Termination messages of exited containers, read once from their file (or the log, on error). */
  private async collectTerminationMessages(containers: readonly Container[]): Promise<void> {
    const record = this.record;
    if (!record) return;
    for (const c of containers) {
      const cr = this.current(c).record;
      if (cr?.state !== 'exited' || !cr.exit || cr.exit.message !== undefined) continue;
      let message = await readTerminationFile(join(this.deps.podsRoot, this.uid, 'containers', c.name, `${cr.config.attempt}-termination-log`));
      if (message === '' && c.terminationMessagePolicy === 'FallbackToLogsOnError' && cr.exit.exitCode !== 0) {
        message = await logTail(join(podLogDirectory(this.deps.ctx.logRoot, record.pod), cr.config.logPath));
      }
      await this.deps.runtime.setExitMessage(cr.id, message);
    }
  }

  /** activeDeadlineSeconds: past it, the pod fails with reason DeadlineExceeded. */
  private async checkDeadline(): Promise<boolean> {
    const record = this.record;
    const seconds = record?.pod.spec.activeDeadlineSeconds;
    if (!record || seconds === undefined || !record.startTime) return false;
    const deadline = Date.parse(record.startTime) + seconds * 1000;
    const now = this.deps.now().getTime();
    if (now < deadline) {
      this.schedule(deadline - now);
      return false;
    }
    await this.event('Normal', 'DeadlineExceeded', 'Pod was active on the node longer than the specified deadline', 'pod');
    await this.update((r) => ({ ...r, terminalReason: 'DeadlineExceeded' }));
    await this.finish('Failed', 'Pod was active on the node longer than the specified deadline');
    return true;
  }

  /**
   * Evicted under node pressure (kubelet eviction manager): containers killed at once for a hard
   * threshold, the pod Failed with reason Evicted and the kubelet's message, and a Warning event.
   */
  async evict(message: string): Promise<void> {
    await this.idle();
    const record = this.record;
    if (!record || record.terminalPhase || record.deletion) return;
    await this.event('Warning', 'Evicted', message, 'pod');
    this.stopProbes();
    const sandboxId = record.sandboxId;
    await this.update((r) => ({ ...r, terminalPhase: 'Failed', terminalReason: message, terminalStatusReason: 'Evicted' }));
    if (sandboxId !== undefined) await this.deps.runtime.stopPodSandbox(sandboxId, 0);
    this.deps.onChange(this.uid);
  }

  /** Job-like pods: done when every main container finished and none will restart. */
  private async checkCompletion(): Promise<void> {
    const record = this.record;
    if (!record || record.pod.spec.restartPolicy === 'Always') return;
    const states = record.pod.spec.containers.map((c) => this.current(c).record);
    if (states.some((s) => s?.state !== 'exited')) return;
    const failed = states.some((s) => (s?.exit?.exitCode ?? 1) !== 0);
    if (record.pod.spec.restartPolicy === 'OnFailure' && failed) return;
    await this.finish(failed ? 'Failed' : 'Succeeded', undefined);
  }

  /** A terminal pod stops its remaining containers (sidecars) and its sandbox, keeping records for status and logs. */
  private async finish(phase: 'Succeeded' | 'Failed', reason: string | undefined): Promise<void> {
    const sandboxId = this.record?.sandboxId;
    await this.update((r) => ({ ...r, terminalPhase: phase, ...(reason ? { terminalReason: reason } : {}) }));
    if (sandboxId !== undefined) await this.deps.runtime.stopPodSandbox(sandboxId, (this.record?.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000);
  }

  private async terminate(record: PodRecord): Promise<void> {
    const { runtime } = this.deps;
    this.stopProbes();
    const graceMs = record.deletion ? record.deletion.graceSeconds * 1000 : 0;
    if (record.sandboxId !== undefined) {
      await this.stopInOrder(record, graceMs);
      await runtime.stopPodSandbox(record.sandboxId, graceMs);
      await runtime.removePodSandbox(record.sandboxId);
    }
    for (const sandbox of runtime.sandboxes.list().filter((s) => s.config.uid === this.uid)) await runtime.removePodSandbox(sandbox.id);
    await tearDownVolumes(podVolumesDir(this.deps.podsRoot, this.uid), record.pod, this.deps.volumeOps);
    // The pod's logs go with the pod (the kubelet removes its pod log directory when it removes the pod).
    await rm(podLogDirectory(this.deps.ctx.logRoot, record.pod), { recursive: true, force: true });
    await this.deps.pods.delete(this.uid);
    this.removed = true;
    if (this.timer) clearTimeout(this.timer);
    this.deps.onRemoved(this.uid);
    for (const resolve of this.removedWaiters.splice(0)) resolve();
  }

  /** Main containers first (concurrently), then sidecars in reverse order, within one grace period. */
  private async stopInOrder(record: PodRecord, graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    const remaining = (): number => Math.max(0, deadline - Date.now());
    const idOf = (c: Pod['spec']['containers'][number]): string | undefined => record.containers[c.name]?.containerId;
    const stop = async (c: Container): Promise<void> => {
      const id = idOf(c);
      if (id === undefined) return;
      const preStop = c.lifecycle?.preStop;
      if (preStop && this.deps.runtime.containers.get(id)?.state === 'running') {
        // preStop runs inside the grace period; whatever it leaves is what the stop signal gets.
        const outcome = await runHook(preStop, this.probeTarget(c, id), this.probeExec, remaining());
        if (outcome.result === 'failure') {
          await this.event('Warning', 'FailedPreStopHook', `PreStopHook failed: ${outcome.message ?? ''}`, `spec.containers{${c.name}}`);
        }
      }
      await this.deps.runtime.stopContainer(id, remaining());
    };
    await Promise.all(record.pod.spec.containers.map(stop));
    const sidecars = (record.pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').reverse();
    for (const c of sidecars) await stop(c);
    const inits = (record.pod.spec.initContainers ?? []).filter((c) => c.restartPolicy !== 'Always');
    await Promise.all(inits.map(stop));
  }
}

export function notFoundPod(namespace: string, name: string): PeapodError {
  return new PeapodError('NotFound', `pods "${name}" not found${namespace === 'default' ? '' : ` in namespace "${namespace}"`}`);
}

function terminationOf(old: ContainerRecord, exit: NonNullable<ContainerRecord['exit']>): TerminationInfo {
  return {
    exitCode: exit.exitCode,
    reason: exit.reason,
    finishedAt: exit.finishedAt,
    containerId: old.id,
    ...(old.startedAt ? { startedAt: old.startedAt } : {}),
    ...(exit.signal !== undefined ? { signal: exit.signal } : {}),
  };
}
