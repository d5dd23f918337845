// One prober per container and probe kind (pkg/kubelet/prober/worker.go): waits initialDelaySeconds,
// then probes every periodSeconds; a result flips only after failureThreshold (or successThreshold)
// identical results in a row. Initial results: readiness failure, liveness success, startup unknown.
// Liveness and readiness wait until the startup probe has succeeded.
import type { Probe } from '../../kube/types.js';
import { runProbe, type ProbeExec, type ProbeOutcome, type ProbeResult, type ProbeTarget } from './run-probe.js';

export type ProbeKind = 'startup' | 'liveness' | 'readiness';

export interface ProberClock {
  /** Resolves after ms, or early (false) when the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<boolean>;
}

export const realClock: ProberClock = {
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) {
        resolve(false);
        return;
      }
      const timer = setTimeout(() => resolve(true), ms);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve(false);
        },
        { once: true },
      );
    }),
};

export interface ProberHooks {
  /** Called whenever the probe's result changes (and once for the first settled result). */
  onResult(kind: ProbeKind, result: ProbeResult, outcome: ProbeOutcome): void;
  /** Liveness and readiness must not run until this says the startup probe succeeded. */
  started(): boolean;
}

export type ProbeRunner = (probe: Probe, target: ProbeTarget, exec: ProbeExec) => Promise<ProbeOutcome>;

export class Prober {
  private readonly controller = new AbortController();
  private result: ProbeResult | 'unknown';
  private streak = 0;
  private last: ProbeResult | undefined;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Probe,
    private readonly target: ProbeTarget,
    private readonly exec: ProbeExec,
    private readonly hooks: ProberHooks,
    private readonly clock: ProberClock = realClock,
    private readonly run: ProbeRunner = runProbe,
  ) {
    this.result = kind === 'readiness' ? 'failure' : kind === 'liveness' ? 'success' : 'unknown';
  }

  get current(): ProbeResult | 'unknown' {
    return this.result;
  }

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.controller.abort();
  }

  private async loop(): Promise<void> {
    const signal = this.controller.signal;
    if (!(await this.clock.sleep((this.probe.initialDelaySeconds ?? 0) * 1000, signal))) return;
    const period = (this.probe.periodSeconds ?? 10) * 1000;
    for (;;) {
      if (this.kind === 'startup' || this.hooks.started()) {
        const outcome = await this.run(this.probe, this.target, this.exec).catch((err: unknown): ProbeOutcome => ({
          result: 'failure',
          message: err instanceof Error ? err.message : String(err),
        }));
        if (signal.aborted) return;
        this.record(outcome);
        // A startup probe stops once it succeeded; the container is then "started" for good.
        if (this.kind === 'startup' && this.result === 'success') return;
      }
      if (!(await this.clock.sleep(period, signal))) return;
    }
  }

  private record(outcome: ProbeOutcome): void {
    this.streak = outcome.result === this.last ? this.streak + 1 : 1;
    this.last = outcome.result;
    const threshold = outcome.result === 'success' ? (this.probe.successThreshold ?? 1) : (this.probe.failureThreshold ?? 3);
    if (this.streak < threshold || this.result === outcome.result) return;
    this.result = outcome.result;
    this.hooks.onResult(this.kind, outcome.result, outcome);
  }
}
