// What every CRI handler gets: the runtime (the same one the CLI's pods use), the image service,
// the name registry, the event hub, and the few host facts the translation needs.
import type { ImageService } from '../image/types.js';
import type { RuntimeService } from '../runtime/service.js';
import type { CriEventHub } from './events.js';
import type { NameRegistry } from './names.js';
import type { StreamingServer } from './streaming/server.js';
import type { CpuRates } from './stats.js';

export interface CriSettings {
  /** cgroupfs parent of everything peapod creates; the kubelet's cgroup_parent is placed under it. */
  readonly cgroupRoot: string;
  /** Where sandboxes without a log_directory (hand-written crictl configs) keep their logs. */
  readonly logRoot: string;
  /** Directories whose usage ImageFsInfo reports (image blobs and unpacked layers). */
  readonly imageFsDirs: readonly string[];
  readonly cniBinDir: string;
  readonly podSubnet: string;
  /** The daemon's own oom_score_adj: a container cannot be made less killable than its runtime. */
  readonly oomScoreAdjFloor: number;
  /** The daemon's bounding set: what privileged containers and add: [ALL] can get here. */
  readonly hostCapabilities?: readonly string[];
  readonly runtimeVersion: string;
  /** host:port for the streaming server; port 0 picks a free one. */
  readonly streamingAddress: string;
}

export interface CriContext {
  readonly runtime: RuntimeService;
  readonly images: ImageService;
  readonly names: NameRegistry;
  readonly events: CriEventHub;
  readonly settings: CriSettings;
  /** Hands out the one-time URLs Exec, Attach and PortForward answer with. */
  readonly streaming: StreamingServer;
  /** Previous CPU samples, for the usage_nano_cores rate. */
  readonly cpuRates: CpuRates;
  readonly log: (message: string) => void;
}
