// What the page is told as it happens: every pod change (with its events) on one stream, and for the
// pod being looked at its Linux view (namespaces, PIDs, cgroups with live usage) with the last minutes
// of samples first, then each new one. The data is the kubelet's own (PodManager.view, podLinuxView),
// never recomputed here.
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PodManager, PodView } from '../kubelet/manager.js';
import type { PodEvent } from '../kubelet/pod-record.js';
import { podLinuxView, type PodLinuxView } from '../kubelet/linux-view.js';
import type { RuntimeService } from '../runtime/service.js';
import { openEventStream } from './sse.js';
import { podTimeline, type TimelineStep } from './timeline.js';

/** How often every pod's cgroups are sampled while the dashboard is open: charts over minutes need no finer grain. */
export const USAGE_SAMPLE_MS = 2_000;
/** Five minutes of samples per pod. */
const HISTORY_SAMPLES = 150;

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

export function streamPods(pods: PodManager, sampler: UsageSampler, req: IncomingMessage, res: ServerResponse): void {
  const channel = openEventStream(req, res);
  // An open page keeps the usage history going, so a pod opened later shows its last minutes.
  channel.onClose(sampler.retain());
  const update = (uid: string): PodUpdate | undefined => {
    const record = pods.pods.get(uid);
    return record ? { uid, view: pods.view(record), events: record.events } : undefined;
  };
  channel.send(
    'snapshot',
    pods.pods
      .list()
      .map((r) => update(r.id))
      .filter((u): u is PodUpdate => u !== undefined),
  );
  const off = pods.onChange((uid) => {
    const u = update(uid);
    if (u) channel.send('pod', u);
    else channel.send('deleted', { uid });
  });
  channel.onClose(off);
}

/** Samples every pod's Linux view while the dashboard runs, keeping the last minutes of each. */
export class UsageSampler {
  private readonly history = new Map<string, LinuxSample[]>();
  private readonly samples = new EventEmitter();
  private timer: NodeJS.Timeout | undefined;
  private offChange: (() => void) | undefined;
  private busy = false;

  constructor(
    private readonly pods: PodManager,
    private readonly runtime: RuntimeService,
  ) {
    this.samples.setMaxListeners(0);
  }

  private viewers = 0;

  /** Samples only while some page is open: a daemon nobody looks at reads no cgroups for it. */
  retain(): () => void {
    if (this.viewers++ === 0) {
      this.timer = setInterval(() => void this.sampleAll().catch(() => undefined), USAGE_SAMPLE_MS);
      this.offChange = this.pods.onChange((uid) => void this.sample(uid).catch(() => undefined));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.viewers === 0) this.stop();
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.offChange?.();
    this.offChange = undefined;
    this.viewers = 0;
    this.history.clear();
  }

  recent(uid: string): readonly LinuxSample[] {
    return this.history.get(uid) ?? [];
  }

  /** listener gets each new sample, or undefined once the pod is gone. */
  subscribe(uid: string, listener: (sample: LinuxSample | undefined) => void): () => void {
    this.samples.on(uid, listener);
    return () => this.samples.off(uid, listener);
  }

  private async sampleAll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const record of this.pods.pods.list()) await this.sample(record.id);
      for (const uid of this.history.keys()) if (!this.pods.pods.get(uid)) this.history.delete(uid);
    } finally {
      this.busy = false;
    }
  }

  async sample(uid: string): Promise<void> {
    const record = this.pods.pods.get(uid);
    if (!record) {
      this.history.delete(uid);
      this.samples.emit(uid, undefined);
      return;
    }
    const linux = await podLinuxView(record, this.runtime);
    const sample: LinuxSample = { at: Date.now(), linux, timeline: podTimeline(record, this.runtime, (id) => this.pods.probeTransitions(uid, id)) };
    const kept = this.history.get(uid) ?? [];
    kept.push(sample);
    if (kept.length > HISTORY_SAMPLES) kept.shift();
    this.history.set(uid, kept);
    this.samples.emit(uid, sample);
  }
}

export function streamPodLinux(sampler: UsageSampler, pods: PodManager, namespace: string, name: string, req: IncomingMessage, res: ServerResponse): void {
  const uid = pods.get(namespace, name).id;
  const channel = openEventStream(req, res);
  channel.onClose(sampler.retain());
  channel.send('history', sampler.recent(uid));
  const off = sampler.subscribe(uid, (sample) => {
    if (sample) channel.send('linux', sample);
    else channel.send('gone', { uid });
  });
  channel.onClose(off);
  // The first picture now, not at the next tick.
  void sampler.sample(uid).catch(() => undefined);
}
