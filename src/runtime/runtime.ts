// The runtime service in CRI terms (the fronts hold it as RuntimeService, service.ts). Operations on one
// sandbox or container are serialised, and only they write the records; records on disk are the truth
// and this object only caches them. Container exits are watched and written down.
import { Limiter, settleAll } from '../common/concurrency.js';
import { EventEmitter } from 'node:events';
import { PeapodError } from '../common/errors.js';
import { newId } from '../common/ids.js';
import { RecordStore, KeyedMutex } from '../store/record-store.js';
import type { CgroupReadback } from '../host/cgroups/types.js';
import type { ExecResult, ExitStatus } from '../host/oci-runtime/types.js';
import type { ImageRecord } from '../image/types.js';
import type { LinuxResources } from '../oci/types.js';
import type { RuntimeDirs, RuntimeHost } from './host.js';
import type { ContainerExitEvent, ExecOptions, RecordView, RuntimeService } from './service.js';
import type { ContainerPreparation, ContainerRecord, ContainerRequest, SandboxConfig, SandboxRecord } from './types.js';
import { ExitWatches } from './exit-watch.js';
import { attachSocketPath, containerLogPath } from './paths.js';
import { isContainerRecord, isSandboxRecord } from './validate-records.js';
import { runPodSandbox, type SandboxDeps } from './sandbox/run.js';
import { releaseNetwork, stopPause, tearDownSandbox } from './sandbox/teardown.js';
import { createContainer, type ContainerDeps } from './container/create.js';
import { besideSandbox, prepareBeside, PreparedContainers } from './container/prepare.js';
import { removeContainerArtifacts } from './container/remove.js';
import { exitReason, orderedFinishedAt } from './container/exit.js';

/**
 * A container's running or exited state is status, not a step: it only notes what a reboot ends anyway,
 * so its data is fsynced but not its rename (docs/reliability.md, "fsync policy").
 */
const STATUS_ONLY = { sync: 'data' } as const;

/** Without a setting (tests, tools), no sandbox waits for another. */
const UNLIMITED_STARTS = Number.MAX_SAFE_INTEGER;

export interface RuntimeOptions {
  readonly maxParallelPodStarts?: number;
}

export class Runtime implements RuntimeService {
  /** The only writers of the records are this class's verbs, each under `mutex` for its ID. */
  private readonly sandboxStore: RecordStore<SandboxRecord>;
  private readonly containerStore: RecordStore<ContainerRecord>;
  readonly sandboxes: RecordView<SandboxRecord>;
  readonly containers: RecordView<ContainerRecord>;
  private readonly mutex = new KeyedMutex();
  private readonly events = new EventEmitter();
  private readonly exits: ExitWatches;
  /** Containers made ahead of their create, not yet claimed by one. */
  private readonly prepared = new PreparedContainers();
  /** Sandboxes being made at once (ops-config.ts maxParallelPodStarts): the others wait here, before any step. */
  private readonly starts: Limiter;

  constructor(
    private readonly host: RuntimeHost,
    private readonly dirs: RuntimeDirs,
    private readonly log: (message: string) => void = () => undefined,
    options: RuntimeOptions = {},
  ) {
    this.starts = new Limiter(options.maxParallelPodStarts ?? UNLIMITED_STARTS);
    this.sandboxStore = new RecordStore(dirs.sandboxRecords, isSandboxRecord);
    this.containerStore = new RecordStore(dirs.containerRecords, isContainerRecord);
    this.sandboxes = readOnly(this.sandboxStore);
    this.containers = readOnly(this.containerStore);
    this.exits = new ExitWatches(host.oci, log);
  }

  private get sandboxDeps(): SandboxDeps {
    return { host: this.host, dirs: this.dirs, records: this.sandboxStore };
  }
  private get containerDeps(): ContainerDeps {
    return { host: this.host, dirs: this.dirs, records: this.containerStore };
  }

  onContainerExit(listener: (event: ContainerExitEvent) => void): void {
    this.events.on('exit', listener);
  }

  /** A ready sandbox's pause process died by itself (killed, OOM): the sandbox is now notready. */
  onSandboxExit(listener: (sandboxId: string) => void): void {
    this.events.on('sandbox-exit', listener);
  }

  async load(): Promise<void> {
    const corrupt = (file: string, err: unknown): void => this.log(`ignoring unreadable record ${file}: ${String(err)}`);
    await this.sandboxStore.load(corrupt);
    await this.containerStore.load(corrupt);
  }

  sandbox(id: string): SandboxRecord {
    const record = this.sandboxes.get(id);
    if (!record) throw new PeapodError('NotFound', `sandbox ${id} not found`);
    return record;
  }

  container(id: string): ContainerRecord {
    const record = this.containers.get(id);
    if (!record) throw new PeapodError('NotFound', `container ${id} not found`);
    return record;
  }

  containersOf(sandboxId: string): ContainerRecord[] {
    return this.containers.list().filter((c) => c.sandboxId === sandboxId);
  }

  createdBeside(id: string): boolean {
    return this.prepared.isCreated(id);
  }

  /** `prepare` (service.ts): made beside the sandbox; a sandbox that fails takes them along. */
  async runPodSandbox(config: SandboxConfig, prepare: readonly ContainerPreparation[] = [], signal?: AbortSignal): Promise<SandboxRecord> {
    const id = newId();
    const removePrepared = async (): Promise<void> => void (await Promise.allSettled(this.prepared.takeAll(id).map((c) => this.removeContainer(c))));
    let started = false;
    const made = await this.starts
      .run(() => {
        started = true;
        return besideSandbox(
          this.host,
          // Under the sandbox's lock until its preparations are done too: a removal that comes meanwhile (a CRI
          // client's) then finds the containers made beside the pause, rather than racing their creation.
          (host, prepared) =>
            this.mutex.run(id, async () => {
              const record = await runPodSandbox({ ...this.sandboxDeps, host }, id, config, async () => {
                await prepared();
                await removePrepared();
              });
              await prepared();
              return record;
            }),
          prepare.map((p) => () => this.prepareContainer(id, p)),
        );
      }, signal)
      .catch((err: unknown) => {
        if (started) throw err;
        // Cancelled in line (a CRI client gave up): nothing was made.
        throw new PeapodError(
          'DeadlineExceeded',
          `the sandbox of pod ${config.namespace}/${config.name} was cancelled while it waited for one of ${this.starts.limit} start slots`,
        );
      });
    if (made.status === 'fulfilled') this.watchPause(made.value);
    else await removePrepared();
    if (made.status === 'rejected') throw made.reason;
    return made.value;
  }

  /** Never fails (container/prepare.ts prepareBeside). */
  private async prepareContainer(sandboxId: string, preparation: ContainerPreparation): Promise<void> {
    // The sandbox's record as written before its pause was asked for: netns and pins, what a container joins.
    const sandbox = this.sandboxes.get(sandboxId);
    if (!sandbox) return;
    const context = {
      deps: this.containerDeps,
      prepared: this.prepared,
      locked: <T>(id: string, fn: () => Promise<T>): Promise<T> => this.mutex.run(id, fn),
      remove: (id: string) => this.removeContainer(id),
      log: this.log,
    };
    await prepareBeside(context, newId(), sandbox, preparation);
  }

  /** Stops every container of the sandbox (concurrently), the pause process, and releases the network. */
  async stopPodSandbox(id: string, graceMs: number): Promise<void> {
    const record = this.sandboxes.get(id);
    if (!record) return;
    await Promise.all(this.containersOf(id).map((c) => this.stopContainer(c.id, graceMs)));
    await this.mutex.run(id, async () => {
      const current = this.sandboxes.get(id);
      if (!current) return;
      this.exits.unwatch(id);
      // Side by side, as at creation: CNI DEL and the netns pin's removal need only the netns, which
      // outlives the pause for as long as either holds it. Both finish before a failure is reported.
      // The IPC and UTS pins go too: with the pause gone nothing else would end the pod's IPC namespace
      // (its shared memory) until the sandbox is removed.
      await settleAll([stopPause(this.sandboxDeps, current), releaseNetwork(this.sandboxDeps, current), this.host.pins.remove(id)]);
      const done = current.done.filter((s) => s !== 'network' && s !== 'netns' && s !== 'pause');
      await this.sandboxStore.put({ ...current, state: 'notready', done });
    });
  }

  /**
   * Removes the sandbox and its containers; removing what is gone succeeds. Containers still running get
   * `stopGraceMs` (the kubelet's pod deletion) or none (CRI's RemovePodSandbox: forcibly). The containers
   * are removed while the pause and the network go (tearDownSandbox), not before them.
   */
  async removePodSandbox(id: string, stopGraceMs = 0): Promise<void> {
    if (!this.sandboxes.get(id)) return;
    if (stopGraceMs > 0) await Promise.all(this.containersOf(id).map((c) => this.stopContainer(c.id, stopGraceMs)));
    // Whatever was made beside its pause and never claimed (or a create's failure kept for its claim) goes with it.
    this.prepared.takeAll(id);
    // 'removing' is on disk before anything goes: a crash from here on leaves a sandbox recovery undoes whole.
    const marked = await this.mutex.run(id, async () => {
      const current = this.sandboxes.get(id);
      if (!current) return undefined;
      this.exits.unwatch(id);
      return this.sandboxStore.put({ ...current, state: 'removing' });
    });
    const containersGone = Promise.all(this.containersOf(id).map((c) => this.removeContainer(c.id)));
    containersGone.catch(() => undefined); // awaited in either branch below; this only marks it handled meanwhile
    if (!marked) return void (await containersGone);
    await this.mutex.run(id, async () => {
      const current = this.sandboxes.get(id);
      if (!current) return void (await containersGone); // removed meanwhile by another caller
      await tearDownSandbox(this.sandboxDeps, current, containersGone);
      await this.sandboxStore.delete(id);
    });
  }

  async createContainer(sandboxId: string, config: ContainerRequest, image?: ImageRecord): Promise<ContainerRecord> {
    const sandbox = this.sandbox(sandboxId);
    const beside = this.prepared.claimCreated(sandboxId, config, image?.id);
    if (beside.error !== undefined) throw beside.error;
    if (beside.stale !== undefined) await this.removeContainer(beside.stale);
    if (beside.record !== undefined) {
      const made = this.containers.get(beside.record.id);
      if (made?.state === 'created' && sandbox.state === 'ready') return made;
      // Its init died meanwhile, or the sandbox did: made again below (or refused, as any create in it).
      await this.removeContainer(beside.record.id);
    }
    const name = config.name;
    const ready = this.prepared.find(sandboxId, name, config.attempt);
    const clash = this.containersOf(sandboxId).find((c) => c.config.name === name && c.config.attempt === config.attempt && c.id !== ready?.record.id);
    if (clash) throw new PeapodError('AlreadyExists', `container ${name} attempt ${config.attempt} already exists in sandbox ${sandboxId} as ${clash.id}`);
    let targetPid: number | undefined;
    if (config.targetContainerId !== undefined) {
      targetPid = this.container(config.targetContainerId).pid;
      if (targetPid === undefined) throw new PeapodError('FailedPrecondition', `target container ${config.targetContainerId} is not running`);
    }
    const { prepared, stale } = this.prepared.claim(ready?.record.id, image?.id);
    if (stale !== undefined) await this.removeContainer(stale);
    const id = prepared?.record.id ?? newId();
    return this.mutex
      .run(id, () => createContainer(this.containerDeps, id, sandbox, config, { targetPid, image, prepared }))
      .catch(async (err: unknown) => {
        // A prepared container is undone like any half-made one when its create fails, even before its first step.
        if (prepared) await this.removeContainer(id);
        throw err;
      });
  }

  async startContainer(id: string): Promise<ContainerRecord> {
    const started = await this.mutex.run(id, async () => {
      const record = this.container(id);
      if (record.state !== 'created') throw new PeapodError('FailedPrecondition', `container ${id} is ${record.state}, not created`);
      await this.host.oci.start(id);
      return this.containerStore.put({ ...record, state: 'running', startedAt: this.host.now().toISOString() }, STATUS_ONLY);
    });
    this.watchExit(started);
    return started;
  }

  /** Stops a running container within graceMs; a stopped or missing one is left as is. */
  async stopContainer(id: string, graceMs: number): Promise<void> {
    const record = this.containers.get(id);
    if (!record || record.state === 'exited' || record.state === 'creating') return;
    const signal = record.config.stopSignal ?? 'SIGTERM';
    const exit = await this.host.oci.stop(id, graceMs, signal);
    await this.recordExit(id, exit);
  }

  async removeContainer(id: string): Promise<void> {
    if (!this.containers.get(id)) return;
    this.prepared.take(id);
    this.exits.unwatch(id);
    await this.mutex.run(id, async () => {
      const record = this.containers.get(id);
      if (!record) return;
      await removeContainerArtifacts(this.containerDeps, record);
      await this.containerStore.delete(id);
    });
  }

  async updateContainerResources(id: string, resources: LinuxResources): Promise<ContainerRecord> {
    return this.mutex.run(id, async () => {
      const record = this.container(id);
      if (record.state === 'exited') throw new PeapodError('FailedPrecondition', `container ${id} has exited; its resources cannot change`);
      await this.host.cgroups.update(record.cgroupsPath, resources);
      return this.containerStore.put({ ...record, config: { ...record.config, resources: { ...record.config.resources, ...resources } } });
    });
  }

  async updatePodSandboxResources(id: string, resources: LinuxResources): Promise<SandboxRecord> {
    return this.mutex.run(id, async () => {
      const record = this.sandbox(id);
      await this.host.cgroups.update(record.config.cgroupParent, resources);
      return this.sandboxStore.put({ ...record, config: { ...record.config, podResources: { ...record.config.podResources, ...resources } } });
    });
  }

  /** Records the termination message the kubelet read for an exited container. */
  async setExitMessage(id: string, message: string): Promise<void> {
    await this.mutex.run(id, async () => {
      const record = this.containers.get(id);
      if (!record?.exit) return;
      await this.containerStore.put({ ...record, exit: { ...record.exit, message } }, STATUS_ONLY);
    });
  }

  execSync(id: string, argv: readonly string[], timeoutMs: number): Promise<ExecResult> {
    return this.host.oci.execSync(id, argv, { timeoutMs });
  }

  execCommand(id: string, argv: readonly string[], options: ExecOptions): readonly string[] {
    return this.host.oci.execCommand(id, argv, { tty: options.tty, interactive: options.interactive });
  }

  attachSocketPath(id: string): string {
    return attachSocketPath(this.container(id).dir);
  }

  containerLogPath(id: string): string {
    const container = this.container(id);
    return containerLogPath(this.sandbox(container.sandboxId), container);
  }

  readCgroup(path: string): Promise<CgroupReadback | undefined> {
    return this.host.cgroups.read(path).catch(() => undefined);
  }

  listCgroupTree(path: string): Promise<string[]> {
    return this.host.cgroups.listTree(path).catch(() => []);
  }

  get cgroupVersion(): 'v1' | 'v2' {
    return this.host.cgroups.version;
  }

  async sandboxNamespaces(id: string): Promise<Readonly<Record<string, number>>> {
    const record = this.sandboxStore.get(id);
    return record?.pausePid !== undefined && record.state === 'ready' ? this.host.proc.namespaces(record.pausePid) : {};
  }

  async containerNamespaces(id: string): Promise<Readonly<Record<string, number>>> {
    const record = this.containerStore.get(id);
    return record?.state === 'running' && record.pid !== undefined ? this.host.proc.namespaces(record.pid) : {};
  }

  nodeNamespaces(): Promise<Readonly<Record<string, number>>> {
    return this.host.proc.namespaces('self');
  }

  get pauseBinaryPath(): string {
    return this.dirs.pausePath;
  }

  networkForwardingProblem(): Promise<string | undefined> {
    return this.host.network.forwardingProblem();
  }

  /** Writes the exit into the record once, with the reason the kubelet would report (OOMKilled included). */
  private async recordExit(id: string, exit: ExitStatus): Promise<ContainerRecord | undefined> {
    return this.mutex.run(id, async () => {
      const record = this.containers.get(id);
      if (!record || record.state === 'exited') return undefined;
      const oomKills = await this.host.cgroups.read(record.cgroupsPath).then(
        (r) => r.oomKills ?? 0,
        () => 0,
      );
      const reason = exitReason(exit, oomKills > 0 || exit.oomKilled === true);
      const updated = await this.containerStore.put(
        { ...record, state: 'exited', exit: { ...exit, reason, finishedAt: orderedFinishedAt(record.startedAt, exit.finishedAt) } },
        STATUS_ONLY,
      );
      this.events.emit('exit', { containerId: id, sandboxId: record.sandboxId, record: updated } satisfies ContainerExitEvent);
      return updated;
    });
  }

  private watchExit(record: ContainerRecord): void {
    this.exits.watch(record.id, async (exit) => void (await this.recordExit(record.id, exit)));
  }

  /** The pause process is conmon-monitored like a container: its death makes the sandbox notready. */
  private watchPause(record: SandboxRecord): void {
    this.exits.watch(record.id, async () => {
      const died = await this.mutex.run(record.id, async () => {
        const current = this.sandboxes.get(record.id);
        if (current?.state !== 'ready') return false;
        await this.sandboxStore.put({ ...current, state: 'notready' });
        return true;
      });
      if (died) {
        this.log(`sandbox ${record.id}: the pause process exited; the sandbox is not ready`);
        this.events.emit('sandbox-exit', record.id);
      }
    });
  }

  /** Reconcile records with reality after a (re)start: adopt, finish or undo. */
  async recover(): Promise<void> {
    for (const sandbox of this.sandboxes.list()) {
      try {
        await this.recoverSandbox(sandbox);
      } catch (err) {
        this.log(`recovering sandbox ${sandbox.id}: ${String(err)}`);
      }
    }
    for (const container of this.containers.list()) {
      try {
        await this.recoverContainer(container);
      } catch (err) {
        this.log(`recovering container ${container.id}: ${String(err)}`);
      }
    }
  }

  // Recovery writes under the same locks as every verb: the CRI socket is listened on from the start.
  private async recoverSandbox(record: SandboxRecord): Promise<void> {
    if (record.state === 'creating' || record.state === 'removing') {
      // Half-made or half-removed: undo it all; the pod's worker creates a fresh sandbox if still wanted.
      for (const c of this.containersOf(record.id)) await this.removeContainer(c.id);
      await this.mutex.run(record.id, async () => {
        await tearDownSandbox(this.sandboxDeps, this.sandboxStore.get(record.id) ?? record);
        await this.sandboxStore.delete(record.id);
      });
      return;
    }
    if (record.state !== 'ready') return;
    await this.mutex.run(record.id, async () => {
      const current = this.sandboxStore.get(record.id);
      if (current?.state !== 'ready') return;
      const state = await this.host.oci.state(current.id);
      const alive = state !== undefined && (state.status === 'running' || state.status === 'paused');
      if (!alive) await this.sandboxStore.put({ ...current, state: 'notready' });
      else this.watchPause(current);
    });
  }

  private async recoverContainer(record: ContainerRecord): Promise<void> {
    if (!this.sandboxes.get(record.sandboxId) || record.state === 'creating') {
      await this.mutex.run(record.id, async () => {
        await removeContainerArtifacts(this.containerDeps, this.containerStore.get(record.id) ?? record);
        await this.containerStore.delete(record.id);
      });
      return;
    }
    if (record.state !== 'running' && record.state !== 'created') return;
    const state = await this.host.oci.state(record.id);
    if (state?.status === 'running' || state?.status === 'paused') {
      // Started just before the crash, but not yet recorded as such: it runs, so adopt it as running.
      const running = await this.mutex.run(record.id, async () => {
        const current = this.containerStore.get(record.id);
        if (current?.state !== 'created') return current;
        const startedAt = (state.status === 'running' ? state.startedAt : undefined) ?? this.host.now().toISOString();
        return this.containerStore.put({ ...current, state: 'running', startedAt });
      });
      if (running?.state === 'running') this.watchExit(running);
      return;
    }
    if (state?.status === 'created') return;
    const exit: ExitStatus = state?.status === 'stopped' && state.exit ? state.exit : { exitCode: 255, finishedAt: this.host.now().toISOString() };
    await this.recordExit(record.id, exit);
  }

  close(): void {
    this.exits.close();
  }
}

/** The store's reads only: a front holding the view cannot write around the runtime's lock. */
function readOnly<T extends { readonly id: string }>(store: RecordStore<T>): RecordView<T> {
  return { get: (id) => store.get(id), list: () => store.list() };
}
