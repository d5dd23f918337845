// A pod's container log as `logs [-c C] [--previous] [-f] [--tail N] [--timestamps]` reads it, for both
// API fronts: which file (log-target.ts), and when a follow ends (the container stopped, or the pod went).
import { readLog } from '../runtime/logs/reader.js';
import type { RuntimeService } from '../runtime/service.js';
import { resolveLogTarget } from './log-target.js';
import type { PodRecord } from './pod-record.js';

export interface PodLogRequest {
  readonly container?: string;
  readonly previous: boolean;
  readonly follow: boolean;
  readonly timestamps: boolean;
  /** Only the last this many lines. */
  readonly tail?: number;
}

export interface PodLog {
  readonly container: string;
  /** Writes the log (and, when following, what comes after) until done or `signal` aborts. */
  read(write: (text: string) => void, signal: AbortSignal): Promise<void>;
}

/** Resolves the log file at once, so that a bad request fails before any response is sent. */
export function openPodLog(runtime: RuntimeService, logRoot: string, record: PodRecord, request: PodLogRequest, podExists: () => boolean): PodLog {
  const target = resolveLogTarget(record, logRoot, request.container, request.previous);
  const { containerId } = target;
  return {
    container: target.container,
    read: (write, signal) =>
      readLog(target.path, write, {
        timestamps: request.timestamps,
        follow: request.follow && !request.previous,
        signal,
        ...(request.tail !== undefined && request.tail >= 0 ? { tail: request.tail } : {}),
        isDone: () => containerId === undefined || runtime.containers.get(containerId)?.state !== 'running' || !podExists(),
      }),
  };
}
