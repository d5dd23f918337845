// Image garbage collection as the kubelet's image GC manager does it: when the image filesystem is at
// least highPercent full, images no container uses (running or dead) are removed, least recently used
// first, until it is at most lowPercent full. The first pass, and any under pressure, also removes blobs
// and snapshots no image references (what a crash or an interrupted pull left). Peapod pins no image (its pause process is a host binary, not an image), so none is exempt
// but those in use.
import { statfs } from 'node:fs/promises';
import { errorMessage } from '../common/errors.js';
import { metrics } from '../common/metrics.js';
import type { ImageService } from '../image/types.js';

export interface ImageGcSettings {
  readonly highPercent: number;
  readonly lowPercent: number;
  readonly periodMs: number;
}

export interface FsUsage {
  readonly capacityBytes: number;
  readonly availableBytes: number;
  /** The kubelet's figure: 100 - available*100/capacity, rounded down as integer division does. */
  readonly usedPercent: number;
}

export interface ImageGcState {
  readonly lastRunAt?: string;
  readonly usage?: FsUsage;
  readonly imagesRemoved: number;
  readonly lastRemoved: readonly string[];
  readonly lastError?: string;
}

export async function fsUsage(path: string): Promise<FsUsage> {
  const s = await statfs(path);
  const capacityBytes = s.blocks * s.bsize;
  const availableBytes = s.bavail * s.bsize;
  return { capacityBytes, availableBytes, usedPercent: capacityBytes > 0 ? 100 - Math.trunc((availableBytes * 100) / capacityBytes) : 0 };
}

export class ImageGcManager {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** When each image was last seen in use (the kubelet keeps this in memory too). */
  private readonly lastUsed = new Map<string, number>();
  private current: ImageGcState = { imagesRemoved: 0, lastRemoved: [] };

  constructor(
    private readonly images: ImageService,
    private readonly imageFsPath: string,
    private readonly settings: ImageGcSettings,
    private readonly inUse: () => Promise<ReadonlySet<string>>,
    private readonly log: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  state(): ImageGcState {
    return this.current;
  }

  start(): void {
    const tick = (): void => {
      void this.runOnce().finally(() => {
        this.timer = setTimeout(tick, this.settings.periodMs);
        this.timer.unref();
      });
    };
    tick();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /** One pass; concurrent callers share it. */
  runOnce(): Promise<void> {
    this.running ??= this.pass()
      .catch((err: unknown) => {
        this.current = { ...this.current, lastError: errorMessage(err) };
        this.log(`image GC: ${errorMessage(err)}`);
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const now = this.now();
    const used = await this.inUse();
    for (const id of used) this.lastUsed.set(id, now);
    let usage = await fsUsage(this.imageFsPath);
    const removed: string[] = [];
    // Content GC waits for running pulls and holds new ones (and container starts) meanwhile: so only
    // at the first pass (what a crash left) and under disk pressure, not every period.
    if (this.current.lastRunAt === undefined || usage.usedPercent >= this.settings.highPercent) {
      await this.images.collectContent();
      usage = await fsUsage(this.imageFsPath);
    }
    if (usage.usedPercent >= this.settings.highPercent) {
      const lastUse = (id: string, storedAt: string): number => this.lastUsed.get(id) ?? Date.parse(storedAt);
      const candidates = (await this.images.list()).filter((r) => !used.has(r.id)).sort((a, b) => lastUse(a.id, a.storedAt) - lastUse(b.id, b.storedAt));
      for (const record of candidates) {
        if (usage.usedPercent <= this.settings.lowPercent) break;
        // In use since the list was taken (a pod started meanwhile): remove refuses it, and that is right.
        if ((await this.inUse()).has(record.id)) continue;
        try {
          await this.images.remove(record.id);
          removed.push(record.names[0] ?? record.id);
          metrics.imagesCollected.inc();
          this.lastUsed.delete(record.id);
        } catch (err) {
          this.log(`image GC: removing ${record.id}: ${errorMessage(err)}`);
        }
        usage = await fsUsage(this.imageFsPath);
      }
      const message = `image GC: the image filesystem was ${usage.usedPercent >= this.settings.lowPercent ? 'still ' : ''}${usage.usedPercent}% full after removing ${removed.length} image(s) (thresholds ${this.settings.highPercent}/${this.settings.lowPercent}%)${removed.length ? `: ${removed.join(', ')}` : ''}`;
      this.log(message);
    }
    this.current = { lastRunAt: new Date(now).toISOString(), usage, imagesRemoved: this.current.imagesRemoved + removed.length, lastRemoved: removed };
  }
}
