// The kubelet-level record of a pod: the applied (defaulted) manifest, where it came from, and what
// the workers have learned that the runtime records cannot say (restart counts, backoff, events).
import type { Pod } from '../kube/types.js';

export type PodSource = 'api' | 'static';

export interface TerminationInfo {
  readonly exitCode: number;
  readonly signal?: number;
  readonly reason: string;
  readonly message?: string;
  readonly startedAt?: string;
  readonly finishedAt: string;
  readonly containerId: string;
}

export interface ContainerTrack {
  readonly restartCount: number;
  /** The runtime container of the current attempt. */
  readonly containerId?: string;
  /** The previous attempt's container, kept for lastState and `logs --previous`. */
  readonly previousContainerId?: string;
  readonly lastTermination?: TerminationInfo;
  /** CrashLoopBackOff: no restart before this time. */
  readonly backoffUntil?: string;
  readonly backoffSeconds?: number;
  readonly waiting?: { readonly reason: string; readonly message?: string };
  /** The spec's image the current attempt was created from: a running container whose spec image changed is restarted. */
  readonly image?: string;
}

export interface PodEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly firstTimestamp: string;
  readonly lastTimestamp: string;
  readonly count: number;
  readonly object: string;
}

export interface PodRecord {
  readonly schema: 1;
  /** The pod's UID. */
  readonly id: string;
  readonly pod: Pod;
  readonly source: PodSource;
  readonly sandboxId?: string;
  readonly sandboxAttempt: number;
  readonly containers: Readonly<Record<string, ContainerTrack>>;
  readonly startTime?: string;
  /** Set once deletion was requested: the worker terminates and then removes everything. */
  readonly deletion?: { readonly requestedAt: string; readonly graceSeconds: number };
  /** Terminal phase once reached (Succeeded/Failed); otherwise computed from the containers. */
  readonly terminalPhase?: 'Succeeded' | 'Failed';
  readonly terminalReason?: string;
  /** The pod status reason of a terminal pod the kubelet failed on purpose: "Evicted". */
  readonly terminalStatusReason?: string;
  readonly events: readonly PodEvent[];
}

export const MAX_EVENTS_PER_POD = 50;

export function isPodRecord(value: unknown): value is PodRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v['schema'] === 1 && typeof v['id'] === 'string' && typeof v['pod'] === 'object' && typeof v['containers'] === 'object';
}

/** An event as a writer states it; the timestamps and the count are the record's to keep. */
export type PodEventInput = Omit<PodEvent, 'firstTimestamp' | 'lastTimestamp' | 'count'>;

/** Appends an event, folding a repeat of the last one (same reason and message) into its count, as kubectl shows. */
export function withEvent(record: PodRecord, event: PodEventInput, now: Date): PodRecord {
  const at = now.toISOString();
  const events = [...record.events];
  const index = events.findIndex((e) => e.reason === event.reason && e.message === event.message && e.object === event.object);
  const existing = index >= 0 ? events[index] : undefined;
  if (existing) events.splice(index, 1, { ...existing, lastTimestamp: at, count: existing.count + 1 });
  else events.push({ ...event, firstTimestamp: at, lastTimestamp: at, count: 1 });
  return { ...record, events: events.slice(-MAX_EVENTS_PER_POD) };
}
