// One async loop per pod (the kubelet's pod worker without goroutines): a dirty flag coalesces
// requests so only the latest state is synced. Each sync plans from the pod's spec and the runtime's
// records (pod-actions.ts) and carries the plan out (pod-sync.ts); probes are wired in pod-probes.ts,
// deletion in pod-termination.ts; eviction is here.
import { PeapodError, errorMessage } from '../common/errors.js';
import { PodContext, RETRY_SETUP_MS, type WorkerDeps } from './pod-context.js';
import { PodProbes, type ProbeState } from './pod-probes.js';
import type { PodRecord } from './pod-record.js';
import { PodSync } from './pod-sync.js';
import { terminatePod } from './pod-termination.js';

export type { WorkerDeps } from './pod-context.js';

export class PodWorker {
  private dirty = false;
  private running: Promise<void> | undefined;
  /** Ephemeral containers whose own command runs with its stdin/tty for a client to attach to (kubectl debug). */
  private readonly attachedEphemerals = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private removed = false;
  private readonly removedWaiters: (() => void)[] = [];
  private readonly ctx: PodContext;
  private readonly probes: PodProbes;
  private readonly podSync: PodSync;

  constructor(
    private readonly deps: WorkerDeps,
    readonly uid: string,
  ) {
    this.ctx = new PodContext(
      deps,
      uid,
      (delayMs) => this.schedule(delayMs),
      () => this.requestSync(),
    );
    this.probes = new PodProbes(this.ctx);
    this.podSync = new PodSync(this.ctx, this.probes, this.attachedEphemerals, (record) => this.terminate(record));
  }

  attachEphemeral(name: string): void {
    this.attachedEphemerals.add(name);
  }

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
    while (this.running || this.probes.kills.size > 0) await Promise.all([this.running, ...this.probes.kills]);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.removed = true;
    this.probes.stop();
  }

  /** What the probes say of a container: undefined when it has none running. */
  probeState(containerId: string): ProbeState | undefined {
    return this.probes.state(containerId);
  }

  private async loop(): Promise<void> {
    while (this.dirty && !this.removed) {
      this.dirty = false;
      try {
        await this.podSync.sync();
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

  /**
   * Evicted under node pressure (kubelet eviction manager): containers killed at once for a hard
   * threshold, the pod Failed with reason Evicted and the kubelet's message, and a Warning event.
   */
  async evict(message: string): Promise<void> {
    await this.idle();
    const record = this.ctx.record;
    if (!record || record.terminalPhase || record.deletion) return;
    await this.ctx.event('Warning', 'Evicted', message, 'pod');
    this.probes.stop();
    const sandboxId = record.sandboxId;
    await this.ctx.update((r) => ({ ...r, terminalPhase: 'Failed', terminalReason: message, terminalStatusReason: 'Evicted' }));
    if (sandboxId !== undefined) await this.deps.runtime.stopPodSandbox(sandboxId, 0);
    this.deps.onChange(this.uid);
  }

  private async terminate(record: PodRecord): Promise<void> {
    await terminatePod(this.ctx, this.probes, record);
    this.removed = true;
    if (this.timer) clearTimeout(this.timer);
    this.deps.onRemoved(this.uid);
    for (const resolve of this.removedWaiters.splice(0)) resolve();
  }
}

export function notFoundPod(namespace: string, name: string): PeapodError {
  return new PeapodError('NotFound', `pods "${name}" not found${namespace === 'default' ? '' : ` in namespace "${namespace}"`}`);
}
