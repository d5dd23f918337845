// The pod manager: the kubelet's front for the local API, the Kubernetes API, the dashboard and the
// controllers. It owns the pod records and one worker per pod; applying, deleting and reading pods go
// through here (the CRI's pods are the runtime's, listed beside them read-only).
import { rootPaths } from '../common/config.js';
import { EventEmitter } from 'node:events';
import { PeapodError, asError } from '../common/errors.js';
import { metrics } from '../common/metrics.js';
import { newUid } from '../common/ids.js';
import type { EphemeralContainer, KubeObject, ObjectMeta, Pod } from '../kube/types.js';
import { diffPodUpdate } from '../kube/update.js';
import { containerLogPath } from '../runtime/paths.js';
import { RecordStore } from '../store/record-store.js';
import { podEvictionCandidates, type EvictionCandidate } from './eviction.js';
import { stripVolatile, volumesUse } from './pod-spec-match.js';
import { ContainerLogRotator, type RotatedLog } from './log-rotation.js';
import { ObjectStore } from './objects.js';
import { isPodRecord, type PodRecord, type PodSource } from './pod-record.js';
import { computePodStatus, displayStatus } from './status.js';
import { PodWorker, notFoundPod } from './worker.js';
import { criPodViews } from './cri-pods.js';
import { openPodLog, type PodLog, type PodLogRequest } from './pod-logs.js';
import { checkExecRequest, debugContainer, debugExecArgv, planExec, type DebugRequest, type DebugResult, type ExecPlan, type ExecRequest } from './pod-exec.js';
import type { ProbeTransition } from './probes/container-probes.js';
import { startedOutcome, waitingReasons } from './wait-started.js';
import type { ApplyAction, ApplyResult, PodManagerDeps, PodView } from './manager-types.js';
import { compareStrings } from '../common/compare.js';
import { podContainers } from '../kube/pod-containers.js';

export type { ApplyAction, ApplyResult, PodManagerDeps, PodView } from './manager-types.js';

export class PodManager {
  readonly pods: RecordStore<PodRecord>;
  readonly objects: ObjectStore;
  private readonly workers = new Map<string, PodWorker>();
  private readonly changes = new EventEmitter();
  private readonly now: () => Date;
  readonly logRotator: ContainerLogRotator | undefined;
  /** Pods whose start latency was observed (or that had started before this daemon did). */
  private readonly startObserved = new Set<string>();

  constructor(private readonly deps: PodManagerDeps) {
    const p = rootPaths(deps.root);
    this.pods = new RecordStore(p.podRecords, isPodRecord);
    this.objects = new ObjectStore(p.objectRecords);
    this.now = deps.now ?? (() => new Date());
    this.changes.setMaxListeners(0);
    // Pod start latency (kubelet_pod_start_duration_seconds): accepted to every container started, once per pod.
    const started = this.startObserved;
    this.changes.on('change', (uid: string) => {
      const record = this.pods.get(uid);
      if (!record) return void started.delete(uid);
      if (started.has(uid) || record.pod.metadata.creationTimestamp === undefined) return;
      if (startedOutcome(this.view(record).pod).kind !== 'started') return;
      started.add(uid);
      metrics.podStartSeconds.observe(Math.max(0, (this.now().getTime() - Date.parse(record.pod.metadata.creationTimestamp)) / 1000));
    });
    this.logRotator = deps.logRotation ? new ContainerLogRotator(deps.logRotation, () => this.runningLogs(), deps.log) : undefined;
    // A container or the pause process of a pod's sandbox exited: that pod's worker has work.
    const syncOwnerOf = (sandboxId: string): void => {
      const owner = this.pods.list().find((p) => p.sandboxId === sandboxId);
      if (owner) this.worker(owner.id).requestSync();
    };
    deps.runtime.onContainerExit((event) => syncOwnerOf(event.sandboxId));
    deps.runtime.onSandboxExit(syncOwnerOf);
    // A ConfigMap or Secret changed: the pods whose volumes project it sync, and their sync re-projects.
    this.objects.onChange((kind, namespace, name) => {
      for (const record of this.pods.list()) {
        if ((record.pod.metadata.namespace ?? 'default') === namespace && volumesUse(record.pod, kind, name)) this.worker(record.id).requestSync();
      }
    });
  }

  /** Loads records and restarts every pod's worker: running containers are adopted, not restarted. */
  async start(): Promise<void> {
    await this.pods.load();
    await this.objects.load();
    for (const record of this.pods.list()) {
      if (startedOutcome(this.view(record).pod).kind === 'started') this.startObserved.add(record.id);
      this.worker(record.id).requestSync();
    }
    this.logRotator?.start();
  }

  /** The live logs of this manager's running containers. */
  private runningLogs(): RotatedLog[] {
    // One pass over the containers: containersOf per pod would be one pass per pod, each rotation tick.
    const ours = new Set<string>();
    for (const record of this.pods.list()) if (record.sandboxId !== undefined) ours.add(record.sandboxId);
    const out: RotatedLog[] = [];
    for (const c of this.deps.runtime.containers.list()) {
      if (c.state !== 'running' || !ours.has(c.sandboxId)) continue;
      const sandbox = this.deps.runtime.sandboxes.get(c.sandboxId);
      if (!sandbox) continue;
      const stillRunning = (): boolean => this.deps.runtime.containers.get(c.id)?.state === 'running';
      out.push({ containerId: c.id, bundleDir: c.dir, logPath: containerLogPath(sandbox, c), stillRunning });
    }
    return out;
  }

  onChange(listener: (uid: string) => void): () => void {
    this.changes.on('change', listener);
    return () => this.changes.off('change', listener);
  }

  private worker(uid: string): PodWorker {
    let worker = this.workers.get(uid);
    if (!worker) {
      worker = new PodWorker(
        {
          runtime: this.deps.runtime,
          images: this.deps.images,
          objects: this.objects,
          pods: this.pods,
          ctx: this.deps.ctx,
          podsRoot: rootPaths(this.deps.root).pods,
          volumeOps: this.deps.volumeOps,
          ...(this.deps.claimVolume ? { claimVolume: this.deps.claimVolume } : {}),
          now: this.now,
          log: this.deps.log,
          onChange: (id) => this.changes.emit('change', id),
          onRemoved: (id) => {
            this.workers.delete(id);
            this.changes.emit('change', id);
          },
        },
        uid,
      );
      this.workers.set(uid, worker);
    }
    return worker;
  }

  /** Asks the pod's worker to sync now (timers do this on their own; tests with a fake clock call it). */
  requestSync(uid: string): void {
    if (this.pods.get(uid)) this.worker(uid).requestSync();
  }

  /** Changes a pod's metadata only (a controller's ownerReferences or labels): identity and spec stay. */
  async updateMetadata(uid: string, fn: (metadata: ObjectMeta) => ObjectMeta): Promise<void> {
    await this.pods.update(uid, (r) => ({
      ...r,
      pod: {
        ...r.pod,
        metadata: { ...fn(r.pod.metadata), name: r.pod.metadata.name, namespace: r.pod.metadata.namespace ?? 'default', uid: r.pod.metadata.uid ?? r.id },
      },
    }));
    this.changes.emit('change', uid);
  }

  find(namespace: string, name: string): PodRecord | undefined {
    return this.pods.list().find((p) => p.pod.metadata.name === name && (p.pod.metadata.namespace ?? 'default') === namespace);
  }

  count(): number {
    return this.pods.list().length;
  }

  async apply(objects: readonly KubeObject[], options: { force: boolean; source?: PodSource }): Promise<ApplyResult[]> {
    // Check every pod first, so a refused change creates nothing.
    for (const object of objects) {
      if (object.kind !== 'Pod') continue;
      const namespace = object.metadata.namespace ?? 'default';
      const existing = this.find(namespace, object.metadata.name);
      if (existing && !options.force) {
        const problem = diffPodUpdate(existing.pod, object);
        if (problem !== undefined)
          throw new PeapodError('InvalidArgument', `The Pod "${object.metadata.name}" is invalid: ${problem}`, {
            hint: 'use --force to delete and re-create the pod',
          });
      }
    }
    const results: ApplyResult[] = [];
    for (const object of objects) {
      const namespace = object.metadata.namespace ?? 'default';
      const name = object.metadata.name;
      if (object.kind === 'ConfigMap') results.push({ kind: 'configmap', namespace, name, action: await this.objects.putConfigMap(namespace, object) });
      else if (object.kind === 'Secret') results.push({ kind: 'secret', namespace, name, action: await this.objects.putSecret(namespace, object) });
      else results.push({ kind: 'pod', namespace, name, action: await this.applyPod(object, options.force, options.source ?? 'api') });
    }
    return results;
  }

  private async applyPod(pod: Pod, force: boolean, source: PodSource): Promise<ApplyAction> {
    const namespace = pod.metadata.namespace ?? 'default';
    const existing = this.find(namespace, pod.metadata.name);
    if (existing) {
      const same = JSON.stringify(stripVolatile(existing.pod)) === JSON.stringify(stripVolatile(pod));
      if (same) return 'unchanged';
      if (!force) {
        // Allowed in-place updates (images, activeDeadlineSeconds, labels, annotations): recorded; the worker restarts a running container whose image changed.
        await this.pods.update(existing.id, (r) => ({
          ...r,
          pod: { ...pod, metadata: { ...pod.metadata, uid: r.pod.metadata.uid ?? r.id, creationTimestamp: r.pod.metadata.creationTimestamp ?? '' } },
        }));
        this.changes.emit('change', existing.id);
        this.worker(existing.id).requestSync();
        return 'configured';
      }
      await this.delete(namespace, pod.metadata.name, { graceSeconds: 0 });
    }
    const uid = newUid();
    const stored: Pod = { ...pod, metadata: { ...pod.metadata, namespace, uid, creationTimestamp: this.now().toISOString() } };
    await this.pods.put({ schema: 1, id: uid, pod: stored, source, sandboxAttempt: 0, containers: {}, events: [] });
    // Watchers (get -w, the dashboard) see the pod as soon as it exists, not at its worker's first change.
    this.changes.emit('change', uid);
    this.worker(uid).requestSync();
    return existing ? 'replaced' : 'created';
  }

  view(record: PodRecord): PodView {
    const worker = this.workers.get(record.id);
    const status = computePodStatus(record, this.deps.runtime, (id) => worker?.probeState(id));
    return {
      pod: { ...record.pod, status },
      displayStatus: displayStatus(record, status),
      source: record.source,
      ...(record.sandboxId !== undefined ? { sandboxId: record.sandboxId } : {}),
    };
  }

  /** How a container's probes changed result, newest last (empty without probes): the dashboard's timeline. */
  probeTransitions(uid: string, containerId: string): readonly ProbeTransition[] {
    return this.workers.get(uid)?.probeState(containerId)?.transitions ?? [];
  }

  list(namespace: string | undefined): PodView[] {
    return this.pods
      .list()
      .filter((r) => namespace === undefined || (r.pod.metadata.namespace ?? 'default') === namespace)
      .sort(
        (a, b) => compareStrings(a.pod.metadata.namespace ?? '', b.pod.metadata.namespace ?? '') || compareStrings(a.pod.metadata.name, b.pod.metadata.name),
      )
      .map((r) => this.view(r));
  }

  /** This manager's pods and, beside them, the sandboxes of the CRI door that no pod record owns. */
  listAll(namespace: string | undefined): PodView[] {
    return [...this.list(namespace), ...criPodViews(this.deps.runtime, new Set(this.pods.list().map((r) => r.id)), namespace)];
  }

  /** A container's log; the file is chosen (or the request refused) before anything is read. */
  openLog(record: PodRecord, request: PodLogRequest): PodLog {
    const namespace = record.pod.metadata.namespace ?? 'default';
    return openPodLog(this.deps.runtime, this.deps.ctx.logRoot, record, request, () => this.find(namespace, record.pod.metadata.name) !== undefined);
  }

  /** The argv that runs a command in a pod's running container (`peapod exec`, the dashboard's terminal). */
  planExec(namespace: string, name: string, request: ExecRequest | undefined): ExecPlan {
    checkExecRequest(request);
    return planExec(this.deps.runtime, this.get(namespace, name), request);
  }

  /** `peapod debug`: an ephemeral container added and started, with the argv of its interactive command. */
  async debug(namespace: string, name: string, request: DebugRequest, timeoutMs: number): Promise<DebugResult> {
    const container = debugContainer(request);
    const id = await this.addEphemeralContainer(namespace, name, container, timeoutMs);
    if (!request.interactive) return { name: container.name, containerId: id };
    return { name: container.name, containerId: id, argv: debugExecArgv(this.deps.runtime, id, request) };
  }

  get(namespace: string, name: string): PodRecord {
    const record = this.find(namespace, name);
    if (!record) throw notFoundPod(namespace, name);
    return record;
  }

  /** Deletes a pod: containers stopped within the grace period, then everything removed. Gone = success. */
  async delete(namespace: string, name: string, options: { graceSeconds?: number; wait?: boolean }): Promise<boolean> {
    const record = this.find(namespace, name);
    if (!record) return false;
    const graceSeconds = options.graceSeconds ?? record.pod.spec.terminationGracePeriodSeconds ?? 30;
    const effective = record.deletion ? Math.min(record.deletion.graceSeconds, graceSeconds) : graceSeconds;
    await this.pods.update(record.id, (r) => ({
      ...r,
      deletion: { requestedAt: r.deletion?.requestedAt ?? this.now().toISOString(), graceSeconds: effective },
    }));
    const worker = this.worker(record.id);
    const removed = worker.whenRemoved();
    worker.requestSync();
    if (options.wait !== false) await removed;
    return true;
  }

  /**
   * Resolves when every container of the pod has started (running, or already terminated) or the pod
   * succeeded; rejects with the reason when the pod failed or a container crash-loops, and with
   * DeadlineExceeded after timeoutMs (`apply --wait`).
   */
  async waitStarted(namespace: string, name: string, timeoutMs: number): Promise<PodView> {
    // Only this pod's changes can end the wait: an apply of 100 pods waits on 100 at once, and each
    // computing its pod's status on every change of every pod was quadratic work.
    const uid = this.find(namespace, name)?.id;
    const check = (): PodView | undefined => {
      const record = uid === undefined ? undefined : this.pods.get(uid);
      if (!record) throw notFoundPod(namespace, name);
      const view = this.view(record);
      const outcome = startedOutcome(view.pod);
      if (outcome.kind === 'failed') throw new PeapodError('FailedPrecondition', `pod ${name} failed: ${outcome.reason}`);
      return outcome.kind === 'started' ? view : undefined;
    };
    const now = check();
    if (now) return now;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        const record = uid === undefined ? undefined : this.pods.get(uid);
        const reasons = record ? waitingReasons(this.view(record).pod) : '';
        reject(new PeapodError('DeadlineExceeded', `timed out after ${timeoutMs} ms waiting for pod ${name} to start${reasons ? ` (${reasons})` : ''}`));
      }, timeoutMs);
      const off = this.onChange((changed) => {
        if (changed !== uid) return;
        try {
          const view = check();
          if (!view) return;
          clearTimeout(timer);
          off();
          resolve(view);
        } catch (err) {
          clearTimeout(timer);
          off();
          reject(asError(err));
        }
      });
    });
  }

  /**
   * Adds an ephemeral debug container to a running pod (the ephemeralcontainers subresource) and
   * resolves with its runtime ID once it runs. Names are unique among all the pod's containers.
   */
  /**
   * `attach`: the container's own command runs with the stdin and tty it asks for, and the client
   * attaches to it (kubectl debug, as under a kubelet); otherwise an interactive one idles under
   * catatonit so that `peapod debug -it` can exec the command with the CLI's real terminal.
   */
  async addEphemeralContainer(
    namespace: string,
    name: string,
    container: EphemeralContainer,
    timeoutMs: number,
    mode: 'exec' | 'attach' = 'exec',
  ): Promise<string> {
    const record = this.get(namespace, name);
    const taken = podContainers(record.pod.spec).map((c) => c.name);
    if (taken.includes(container.name)) throw new PeapodError('AlreadyExists', `a container named "${container.name}" already exists in pod ${name}`);
    if (container.targetContainerName !== undefined && !record.pod.spec.containers.some((c) => c.name === container.targetContainerName)) {
      throw new PeapodError('InvalidArgument', `--target: container "${container.targetContainerName}" not found in pod ${name}`);
    }
    if (record.sandboxId === undefined || record.terminalPhase || record.deletion) throw new PeapodError('FailedPrecondition', `pod ${name} is not running`);
    const worker = this.worker(record.id);
    if (mode === 'attach') worker.attachEphemeral(container.name);
    await this.pods.update(record.id, (r) => ({
      ...r,
      pod: { ...r.pod, spec: { ...r.pod.spec, ephemeralContainers: [...(r.pod.spec.ephemeralContainers ?? []), container] } },
    }));
    const started = new Promise<string>((resolve, reject) => {
      const check = (): boolean => {
        const track = this.pods.get(record.id)?.containers[container.name];
        const id = track?.containerId;
        // Started is enough: a batch command (`debug -- ps`) may have run and exited before this looks.
        const state = id === undefined ? undefined : this.deps.runtime.containers.get(id)?.state;
        if (id !== undefined && (state === 'running' || state === 'exited')) {
          resolve(id);
          return true;
        }
        if (track?.waiting) {
          reject(new PeapodError('FailedPrecondition', `ephemeral container ${container.name}: ${track.waiting.reason}: ${track.waiting.message ?? ''}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        off();
        reject(new PeapodError('DeadlineExceeded', `ephemeral container ${container.name} did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onChange(() => {
        if (check()) {
          clearTimeout(timer);
          off();
        }
      });
    });
    worker.requestSync();
    return started;
  }

  /** Running pods of this manager with their memory working set (pod cgroup) and log bytes, for eviction. */
  async evictionCandidates(): Promise<EvictionCandidate[]> {
    return podEvictionCandidates(this.pods.list(), this.deps.runtime, this.deps.ctx.logRoot);
  }

  /** Fails the pod with reason Evicted (its containers killed), keeping it for status and logs. */
  async evict(uid: string, message: string): Promise<void> {
    if (this.pods.get(uid)) await this.worker(uid).evict(message);
  }

  async idle(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.idle()));
  }

  stop(): void {
    this.logRotator?.stop();
    for (const worker of this.workers.values()) worker.stop();
  }
}
