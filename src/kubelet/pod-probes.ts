// Probe wiring of one pod: the startup, liveness and readiness probes of each running container, what a
// result changes (a readiness event, a new sync, a kill after a failed liveness or startup probe), and
// where probes and lifecycle hooks reach a container.
import { errorMessage } from '../common/errors.js';
import type { Container } from '../kube/types.js';
import { containerObject, type PodContext } from './pod-context.js';
import { ContainerProbes, type ProbeTransition } from './probes/container-probes.js';
import type { ProbeExec, ProbeTarget } from './probes/run-probe.js';

export interface ProbeState {
  readonly started: boolean;
  readonly ready: boolean;
  readonly transitions: readonly ProbeTransition[];
}

export class PodProbes {
  /** Probes of running containers, by container ID. */
  private readonly probes = new Map<string, ContainerProbes>();
  /** Kills after a failed liveness/startup probe, run beside the sync loop; the worker's idle() waits for them too. */
  readonly kills = new Set<Promise<void>>();

  constructor(private readonly ctx: PodContext) {}

  /** How probes and hooks run a command in a container. */
  readonly exec: ProbeExec = {
    execSync: (id: string, command: readonly string[], timeoutMs: number) => this.ctx.runtime.execSync(id, command, timeoutMs),
  };

  /** Where probes and hooks reach a container: the pod IP (127.0.0.1 with hostNetwork), named ports. */
  target(c: Container, containerId: string): ProbeTarget {
    const sandbox = this.ctx.sandbox();
    const host = sandbox?.config.network === 'node' ? '127.0.0.1' : (sandbox?.network?.ip ?? '127.0.0.1');
    const namedPorts = new Map((c.ports ?? []).filter((p) => p.name).map((p) => [p.name ?? '', p.containerPort]));
    return { containerId, host, namedPorts };
  }

  /** What the probes say of a container: undefined when it has none running. */
  state(containerId: string): ProbeState | undefined {
    const probes = this.probes.get(containerId);
    return probes ? { started: probes.started, ready: probes.ready, transitions: probes.transitions } : undefined;
  }

  /** Stops the probes of every container but those `keep` names. */
  stop(keep?: (containerId: string) => boolean): void {
    for (const [id, probes] of this.probes) {
      if (keep?.(id)) continue;
      probes.stop();
      this.probes.delete(id);
    }
  }

  start(c: Container, containerId: string): void {
    if (!c.startupProbe && !c.livenessProbe && !c.readinessProbe) return;
    const object = containerObject(c);
    const probes = new ContainerProbes(containerId, c, this.target(c, containerId), this.exec, {
      changed: (kind, result, outcome) => {
        if (result === 'failure' && kind === 'readiness') {
          void this.ctx.event('Warning', 'Unhealthy', `Readiness probe failed: ${outcome.message ?? ''}`, object).catch(() => undefined);
        }
        // A started sidecar unblocks the next init container; readiness changes the status.
        this.ctx.requestSync();
      },
      unhealthy: (kind, outcome) => {
        probes.stop();
        const kill = this.kill(c, containerId, kind, outcome.message ?? '')
          .catch((err: unknown) => this.killFailed(c, containerId, probes, kind, err))
          .finally(() => this.kills.delete(kill));
        this.kills.add(kill);
      },
    });
    this.probes.set(containerId, probes);
    probes.start();
  }

  /** A failed liveness or startup probe: the container is stopped and its restart policy decides what next. */
  private async kill(c: Container, containerId: string, kind: 'liveness' | 'startup', message: string): Promise<void> {
    const object = containerObject(c);
    const what = kind === 'liveness' ? 'Liveness' : 'Startup';
    await this.ctx.event('Warning', 'Unhealthy', `${what} probe failed: ${message}`, object);
    await this.ctx.event('Normal', 'Killing', `Container ${c.name} failed ${kind} probe, will be restarted`, object);
    const grace =
      (kind === 'liveness' ? c.livenessProbe : c.startupProbe)?.terminationGracePeriodSeconds ?? this.ctx.record?.pod.spec.terminationGracePeriodSeconds ?? 30;
    await this.ctx.runtime.stopContainer(containerId, grace * 1000);
  }

  /**
   * The kill after a failed liveness/startup probe failed, and the container may still run: it must
   * not be left unprobed. Its stopped probes are dropped so that a sync one period later starts them
   * again (as for an adopted container), and their next failure kills it again.
   */
  private killFailed(c: Container, containerId: string, probes: ContainerProbes, kind: 'liveness' | 'startup', err: unknown): void {
    this.ctx.deps.log(`pod ${this.ctx.uid}: restarting ${c.name} after a failed ${kind} probe: ${errorMessage(err)}`);
    void this.ctx
      .event('Warning', 'FailedKillPod', `error killing container ${c.name} after its failed ${kind} probe: ${errorMessage(err)}`, containerObject(c))
      .catch(() => undefined);
    if (this.probes.get(containerId) === probes) this.probes.delete(containerId);
    const periodSeconds = (kind === 'liveness' ? c.livenessProbe : c.startupProbe)?.periodSeconds ?? 10;
    setTimeout(() => this.ctx.requestSync(), periodSeconds * 1000).unref();
  }
}
