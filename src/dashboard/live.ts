// What the page is told as it happens: every pod change (with its events) on one stream, and for the
// pod being looked at its Linux view (namespaces, PIDs, cgroups with live usage) every few seconds
// and on each change. The data is the kubelet's own (PodManager.view, podLinuxView), never recomputed here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PodManager, PodView } from '../kubelet/manager.js';
import type { PodEvent } from '../kubelet/pod-record.js';
import { podLinuxView, type PodLinuxView } from '../kubelet/linux-view.js';
import type { Runtime } from '../runtime/runtime.js';
import { openEventStream } from './sse.js';
import { podTimeline, type TimelineStep } from './timeline.js';

/** How often a watched pod's cgroup usage is sampled: small charts over minutes need no finer grain. */
export const USAGE_SAMPLE_MS = 2_000;

export interface PodUpdate {
  readonly uid: string;
  readonly view: PodView;
  readonly events: readonly PodEvent[];
}

export interface LinuxSample {
  /** ms since the epoch, when the cgroups were read. */
  readonly at: number;
  readonly linux: PodLinuxView;
  readonly timeline: readonly TimelineStep[];
}

export function streamPods(pods: PodManager, req: IncomingMessage, res: ServerResponse): void {
  const channel = openEventStream(req, res);
  const update = (uid: string): PodUpdate | undefined => {
    const record = pods.pods.get(uid);
    return record ? { uid, view: pods.view(record), events: record.events } : undefined;
  };
  channel.send(
    'snapshot',
    pods.pods.list().map((r) => update(r.id)).filter((u): u is PodUpdate => u !== undefined),
  );
  const off = pods.onChange((uid) => {
    const u = update(uid);
    if (u) channel.send('pod', u);
    else channel.send('deleted', { uid });
  });
  channel.onClose(off);
}

export function streamPodLinux(pods: PodManager, runtime: Runtime, namespace: string, name: string, req: IncomingMessage, res: ServerResponse): void {
  const record = pods.get(namespace, name);
  const uid = record.id;
  const channel = openEventStream(req, res);
  let busy = false;
  const sample = async (): Promise<void> => {
    const current = pods.pods.get(uid);
    if (busy || channel.closed) return;
    if (!current) {
      channel.send('gone', { uid });
      return;
    }
    busy = true;
    try {
      const linux = await podLinuxView(current, runtime);
      const out: LinuxSample = { at: Date.now(), linux, timeline: podTimeline(current, runtime, (id) => pods.probeTransitions(uid, id)) };
      channel.send('linux', out);
    } finally {
      busy = false;
    }
  };
  const tick = (): void => void sample().catch(() => undefined);
  tick();
  const timer = setInterval(tick, USAGE_SAMPLE_MS);
  const off = pods.onChange((changed) => {
    if (changed === uid) tick();
  });
  channel.onClose(() => {
    clearInterval(timer);
    off();
  });
}
