// The probes of one running container: startup, liveness and readiness probers wired to the pod worker.
import type { Container } from '../../kube/types.js';
import { Prober, realClock, type ProbeKind, type ProberClock } from './prober.js';
import type { ProbeExec, ProbeOutcome, ProbeResult, ProbeTarget } from './run-probe.js';

export interface ProbeEvents {
  /** A liveness or startup probe failed past its threshold: the container must be restarted. */
  unhealthy(kind: 'liveness' | 'startup', outcome: ProbeOutcome): void;
  /** Any result changed: status (ready/started) must be recomputed. */
  changed(kind: ProbeKind, result: ProbeResult, outcome: ProbeOutcome): void;
}

/** A probe's result changing, kept for the dashboard's build timeline ("readiness: success" at when). */
export interface ProbeTransition {
  readonly kind: ProbeKind;
  readonly result: ProbeResult;
  readonly at: string;
}

const MAX_TRANSITIONS = 20;

export class ContainerProbes {
  private readonly probers = new Map<ProbeKind, Prober>();
  private readonly history: ProbeTransition[] = [];

  constructor(
    readonly containerId: string,
    container: Container,
    target: ProbeTarget,
    exec: ProbeExec,
    events: ProbeEvents,
    clock: ProberClock = realClock,
  ) {
    const specs: [ProbeKind, Container['livenessProbe']][] = [
      ['startup', container.startupProbe],
      ['liveness', container.livenessProbe],
      ['readiness', container.readinessProbe],
    ];
    for (const [kind, probe] of specs) {
      if (!probe) continue;
      const prober = new Prober(
        kind,
        probe,
        target,
        exec,
        {
          started: () => this.started,
          onResult: (k, result, outcome) => {
            this.history.push({ kind: k, result, at: new Date().toISOString() });
            if (this.history.length > MAX_TRANSITIONS) this.history.shift();
            events.changed(k, result, outcome);
            if (result === 'failure' && (k === 'liveness' || k === 'startup')) events.unhealthy(k, outcome);
          },
        },
        clock,
      );
      this.probers.set(kind, prober);
    }
  }

  get transitions(): readonly ProbeTransition[] {
    return [...this.history];
  }

  start(): void {
    for (const prober of this.probers.values()) prober.start();
  }

  stop(): void {
    for (const prober of this.probers.values()) prober.stop();
  }

  /** Started: no startup probe, or it succeeded. */
  get started(): boolean {
    const startup = this.probers.get('startup');
    return startup === undefined || startup.current === 'success';
  }

  /** Ready: started, and no readiness probe or it succeeds. */
  get ready(): boolean {
    const readiness = this.probers.get('readiness');
    return this.started && (readiness === undefined || readiness.current === 'success');
  }
}
