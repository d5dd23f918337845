// What the parts of one pod worker share (plan executor, container starts, probes, termination): the
// worker's dependencies, the pod's record and the writes to it (container tracks, events), and the
// worker's retry timer.
import type { Container } from '../kube/types.js';
import type { ImageService } from '../image/types.js';
import type { RuntimeService } from '../runtime/service.js';
import type { ContainerRecord, SandboxRecord } from '../runtime/types.js';
import type { RecordStore, RecordWriteOptions } from '../store/record-store.js';
import type { ConvertContext } from './convert.js';
import { downwardField } from './downward.js';
import type { ObjectStore } from './objects.js';
import { withEvent, type ContainerTrack, type PodEventInput, type PodRecord } from './pod-record.js';
import type { VolumeHostOps } from './volumes/host-ops.js';
import type { ClaimVolume, VolumeLookups } from './volumes/setup.js';

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
  /** A claim's bound volume directory (the daemon's local-path provisioner); absent: claims are refused. */
  readonly claimVolume?: (namespace: string, claimName: string) => ClaimVolume;
}

/** Retry delay after a failed sandbox, volume or container setup. */
export const RETRY_SETUP_MS = 5_000;

export class PodContext {
  constructor(
    readonly deps: WorkerDeps,
    readonly uid: string,
    /** Sync again after this long (replaces an earlier request). */
    readonly schedule: (delayMs: number) => void,
    /** Sync again as soon as possible. */
    readonly requestSync: () => void,
  ) {}

  get record(): PodRecord | undefined {
    return this.deps.pods.get(this.uid);
  }

  get runtime(): RuntimeService {
    return this.deps.runtime;
  }

  async update(fn: (r: PodRecord) => PodRecord, options: RecordWriteOptions = {}): Promise<PodRecord> {
    return this.deps.pods.update(this.uid, fn, options);
  }

  /** An event's data is fsynced but not its rename: a power loss may drop the newest events, never the pod. */
  async event(type: 'Normal' | 'Warning', reason: string, message: string, object: string): Promise<void> {
    const now = this.deps.now();
    await this.update((r) => withEvent(r, { type, reason, message, object }, now), { sync: 'data' });
  }

  /** Like an event (see event()): a container's track is status, which a reboot resets (every container starts again). */
  async setTrack(name: string, track: ContainerTrack, events: readonly PodEventInput[] = []): Promise<void> {
    const now = this.deps.now();
    await this.update((r) => events.reduce((next, e) => withEvent(next, e, now), { ...r, containers: { ...r.containers, [name]: track } }), { sync: 'data' });
  }

  /** A container's track and the runtime record of its current attempt. */
  current(c: Container): { track: ContainerTrack; record: ContainerRecord | undefined } {
    const track = this.record?.containers[c.name] ?? { restartCount: 0 };
    const record = track.containerId === undefined ? undefined : this.deps.runtime.containers.get(track.containerId);
    return { track, record };
  }

  sandbox(): SandboxRecord | undefined {
    const sandboxId = this.record?.sandboxId;
    return sandboxId === undefined ? undefined : this.deps.runtime.sandboxes.get(sandboxId);
  }

  /** Where volumes find ConfigMaps, Secrets and the pod's own fields. */
  lookups(): VolumeLookups {
    const record = this.record;
    const ip = this.sandbox()?.network?.ip;
    return {
      configMap: (ns, name) => this.deps.objects.configMap(ns, name),
      secret: (ns, name) => this.deps.objects.secret(ns, name),
      ...(this.deps.claimVolume ? { claim: this.deps.claimVolume } : {}),
      field: (path) => (record ? downwardField(record.pod, path, ip) : undefined),
    };
  }
}

/** The event object of a container, as kubectl describe shows it. */
export function containerObject(c: Container): string {
  return `spec.containers{${c.name}}`;
}
