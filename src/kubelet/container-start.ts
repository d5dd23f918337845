// How the pod worker starts one container (the kubelet's startContainer): pull per the image policy,
// build the runtime request (subPath staging, the termination log file's path), create, start, run the
// postStart hook and start the probes. Each failure becomes the kubelet's waiting reason (ErrImagePull,
// ImagePullBackOff, CreateContainerConfigError, CreateContainerError, RunContainerError).
import { join } from 'node:path';
import { errorMessage } from '../common/errors.js';
import type { ImageRecord } from '../image/types.js';
import type { Container, Pod } from '../kube/types.js';
import { removeLogFiles } from '../runtime/logs/rotated.js';
import type { ContainerRecord, ContainerRequest } from '../runtime/types.js';
import { containerConfig, containerSubPaths, podLogDirectory } from './convert.js';
import { runHook } from './hooks.js';
import { containerObject, RETRY_SETUP_MS, type PodContext } from './pod-context.js';
import type { PodProbes } from './pod-probes.js';
import type { ContainerTrack, PodEventInput, TerminationInfo } from './pod-record.js';
import type { PreparedVolumes } from './volumes/setup.js';
import { stageSubPaths, subPathStagingRoot, type StagedSubPaths } from './volumes/subpath-staging.js';

/** A postStart hook gets this long before it counts as failed. */
const POST_START_TIMEOUT_MS = 30_000;

export type ConfigAdjust = (config: ContainerRequest) => ContainerRequest;

export class ContainerStarter {
  constructor(
    private readonly ctx: PodContext,
    private readonly probes: PodProbes,
    /** The pod's volumes, once set up. */
    private readonly volumes: () => PreparedVolumes | undefined,
  ) {}

  /** Pull, create and start one container; `restart` counts a new attempt. True when it runs. */
  async start(sandboxId: string, c: Container, track: ContainerTrack, restart: boolean, adjust?: ConfigAdjust): Promise<boolean> {
    const record = this.ctx.record;
    const volumes = this.volumes();
    if (!record || !volumes) return false;
    const attempt = restart ? track.restartCount + 1 : track.restartCount;
    const image = await this.pull(c, track);
    if (!image) return false;
    const created = await this.create({ sandboxId, pod: record.pod, c, track, image, attempt, volumes, adjust });
    if (!created) return false;
    const next = await this.nextAttempt(record.pod, c, track, attempt, created.container);
    const events: PodEventInput[] = created.adopted
      ? []
      : [{ type: 'Normal', reason: 'Created', message: `Created container ${c.name}`, object: containerObject(c) }];
    if (created.container.state !== 'created') {
      await this.ctx.setTrack(c.name, next, events);
      return created.container.state === 'running';
    }
    // The track and the Created event are written with the start's outcome, in one write: until then the
    // runtime's record is the truth, and a daemon killed in between adopts the container by name and attempt.
    return this.launch(c, next, created.container, events);
  }

  /**
   * Starts a created container: right after creating it (its track and `pending` events not yet written),
   * or after a restart found it never started.
   */
  async launch(c: Container, track: ContainerTrack, created: ContainerRecord, pending: readonly PodEventInput[] = []): Promise<boolean> {
    const object = containerObject(c);
    const { waiting: _waiting, ...next } = track;
    try {
      await this.ctx.runtime.startContainer(created.id);
      // One write: the track (without a failed launch's waiting reason) and the events.
      await this.ctx.setTrack(c.name, next, [...pending, { type: 'Normal', reason: 'Started', message: `Started container ${c.name}`, object }]);
      if (c.lifecycle?.postStart && !(await this.postStart(c, created.id))) return false;
      this.probes.start(c, created.id);
      return true;
    } catch (err) {
      await this.failed(c, { ...next, waiting: { reason: 'RunContainerError', message: errorMessage(err) } }, `Error: ${errorMessage(err)}`, pending);
      return false;
    }
  }

  /** The container's image, pulled per its policy; undefined (and the waiting reason set) when the pull failed. */
  private async pull(c: Container, track: ContainerTrack): Promise<ImageRecord | undefined> {
    const object = containerObject(c);
    const { images } = this.ctx.deps;
    try {
      const present = await images.find(c.image ?? '');
      if (!present || c.imagePullPolicy === 'Always') await this.ctx.event('Normal', 'Pulling', `Pulling image "${c.image ?? ''}"`, object);
      const image = await images.ensure(c.image ?? '', c.imagePullPolicy ?? 'IfNotPresent');
      if (!present) await this.ctx.event('Normal', 'Pulled', `Successfully pulled image "${c.image ?? ''}"`, object);
      return image;
    } catch (err) {
      // The kubelet shows ErrImagePull for a failed pull and ImagePullBackOff while it waits to retry.
      const again = track.waiting?.reason === 'ErrImagePull' || track.waiting?.reason === 'ImagePullBackOff';
      const waiting = { reason: again ? 'ImagePullBackOff' : 'ErrImagePull', message: errorMessage(err) };
      await this.failed(c, { ...track, waiting }, `Failed to pull image "${c.image ?? ''}": ${errorMessage(err)}`);
      return undefined;
    }
  }

  /** Records a failure as the container's waiting reason and a Warning event (after `pending` ones), and retries later. */
  private async failed(c: Container, track: ContainerTrack, message: string, pending: readonly PodEventInput[] = []): Promise<void> {
    await this.ctx.setTrack(c.name, track, [...pending, { type: 'Warning', reason: 'Failed', message, object: containerObject(c) }]);
    this.ctx.schedule(RETRY_SETUP_MS);
  }

  /** The runtime container of this attempt: created now, or adopted from a daemon that died before recording it. */
  private async create(input: CreateInput): Promise<{ container: ContainerRecord; adopted: boolean } | undefined> {
    const { sandboxId, c, track, attempt } = input;
    let staging: StagedSubPaths | undefined;
    try {
      let config: ContainerRequest;
      try {
        const prepared = await this.prepareConfig(input);
        staging = prepared.staging;
        config = prepared.config;
      } catch (err) {
        await this.failed(c, { ...track, waiting: { reason: 'CreateContainerConfigError', message: errorMessage(err) } }, `Error: ${errorMessage(err)}`);
        return undefined;
      }
      // A daemon killed between creating this attempt and recording it left the container behind: adopt
      // it rather than trip over its name (the runtime's records are the truth, the track follows them).
      const { runtime } = this.ctx;
      // ('creating' is a create in progress, or a rootfs prepared for this very create; one created beside the
      // pause is this create's too: neither is an orphan.)
      const orphan = runtime
        .containersOf(sandboxId)
        .find(
          (r) =>
            r.config.name === c.name && r.config.attempt === attempt && r.id !== track.containerId && r.state !== 'creating' && !runtime.createdBeside(r.id),
        );
      if (orphan) return { container: orphan, adopted: true };
      try {
        return { container: await runtime.createContainer(sandboxId, config, input.image), adopted: false };
      } catch (err) {
        await this.failed(c, { ...track, waiting: { reason: 'CreateContainerError', message: errorMessage(err) } }, `Error: ${errorMessage(err)}`);
        return undefined;
      }
    } finally {
      // runc has its own copy of each subPath bind in the container's mount namespace by now.
      await staging?.undo().catch((err: unknown) => this.ctx.deps.log(`pod ${this.ctx.uid}: undoing subPath staging of ${c.name}: ${errorMessage(err)}`));
    }
  }

  /** The runtime config of this attempt; its subPath staging binds exist until the caller undoes them. */
  private async prepareConfig(input: CreateInput): Promise<{ config: ContainerRequest; staging: StagedSubPaths }> {
    const { deps, uid } = this.ctx;
    const { pod, c, image, attempt, volumes, adjust } = input;
    const convert = { pod, container: c, image, attempt, volumes, lookups: this.ctx.lookups(), ctx: deps.ctx };
    const staging = await stageSubPaths(containerSubPaths(convert), join(subPathStagingRoot(join(deps.podsRoot, uid)), c.name), deps.volumeOps);
    try {
      const terminationLogHostPath = this.terminationLogFile(c.name, attempt);
      let config = containerConfig({ ...convert, terminationLogHostPath, subPathSources: staging.sources });
      if (adjust) config = adjust(config);
      return { config, staging };
    } catch (err) {
      await staging.undo().catch(() => undefined);
      throw err;
    }
  }

  /**
   * The runtime request of a container the sandbox about to be made starts first, when it is known before
   * the sandbox exists: the runtime then creates the container beside the pause (its create here takes it).
   * Not for a container with a subPath (its staging binds live for one create) or env from the pod's IP
   * (there is none yet); undefined then, or when the request cannot be built (the create reports why).
   */
  requestAhead(c: Container, image: ImageRecord, attempt: number): ContainerRequest | undefined {
    const record = this.ctx.record;
    const volumes = this.volumes();
    if (!record || !volumes || usesPodIp(c)) return undefined;
    const convert = { pod: record.pod, container: c, image, attempt, volumes, lookups: this.ctx.lookups(), ctx: this.ctx.deps.ctx };
    try {
      if (containerSubPaths(convert).length > 0) return undefined;
      return containerConfig({ ...convert, terminationLogHostPath: this.terminationLogFile(c.name, attempt) });
    } catch {
      return undefined;
    }
  }

  /** The track of the new attempt (written by the caller); keeps exactly one dead attempt for lastState and `logs --previous`, as the kubelet does. */
  private async nextAttempt(pod: Pod, c: Container, track: ContainerTrack, attempt: number, created: ContainerRecord): Promise<ContainerTrack> {
    const { runtime } = this.ctx;
    const old = track.containerId === undefined ? undefined : runtime.containers.get(track.containerId);
    if (track.previousContainerId !== undefined && track.previousContainerId !== track.containerId) {
      const dead = runtime.containers.get(track.previousContainerId);
      await runtime.removeContainer(track.previousContainerId);
      // Its log goes with it, as the kubelet's container GC removes a dead container's log.
      if (dead) await removeLogFiles(join(podLogDirectory(this.ctx.deps.ctx.logRoot, pod), dead.config.logPath));
    }
    return {
      restartCount: attempt,
      containerId: created.id,
      image: c.image ?? '',
      ...(track.containerId !== undefined ? { previousContainerId: track.containerId } : {}),
      ...(old?.exit ? { lastTermination: terminationOf(old, old.exit) } : track.lastTermination ? { lastTermination: track.lastTermination } : {}),
      ...(track.backoffSeconds !== undefined ? { backoffSeconds: track.backoffSeconds } : {}),
    };
  }

  /**
   * The file of an attempt's termination message, bind-mounted at terminationMessagePath; the runtime's
   * create makes it (VolumeMount.createFile), beside the pause for a fresh pod rather than before its
   * sandbox; removed with the pod's directory.
   */
  private terminationLogFile(name: string, attempt: number): string {
    return join(this.ctx.deps.podsRoot, this.ctx.uid, 'containers', name, `${attempt}-termination-log`);
  }

  /** postStart: a failed hook kills the container (FailedPostStartHook); its restart policy decides what next. */
  private async postStart(c: Container, containerId: string): Promise<boolean> {
    const handler = c.lifecycle?.postStart;
    if (!handler) return true;
    const grace = (this.ctx.record?.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    const outcome = await runHook(handler, this.probes.target(c, containerId), this.probes.exec, POST_START_TIMEOUT_MS);
    if (outcome.result === 'success') return true;
    await this.ctx.event('Warning', 'FailedPostStartHook', `PostStartHook failed: ${outcome.message ?? ''}`, containerObject(c));
    await this.ctx.runtime.stopContainer(containerId, grace);
    return false;
  }
}

interface CreateInput {
  readonly sandboxId: string;
  readonly pod: Pod;
  readonly c: Container;
  readonly track: ContainerTrack;
  readonly image: ImageRecord;
  readonly attempt: number;
  readonly volumes: PreparedVolumes;
  readonly adjust: ConfigAdjust | undefined;
}

/** How a container's runtime attempt ended, for its track's lastTermination. */
export function terminationOf(old: ContainerRecord, exit: NonNullable<ContainerRecord['exit']>): TerminationInfo {
  return {
    exitCode: exit.exitCode,
    reason: exit.reason,
    finishedAt: exit.finishedAt,
    containerId: old.id,
    ...(old.startedAt ? { startedAt: old.startedAt } : {}),
    ...(exit.signal !== undefined ? { signal: exit.signal } : {}),
  };
}

/** Whether the container's env takes the pod's IP (the downward API's status.podIP or status.podIPs). */
function usesPodIp(c: Container): boolean {
  return (c.env ?? []).some((e) => e.valueFrom?.fieldRef?.fieldPath.startsWith('status.podIP') === true);
}
