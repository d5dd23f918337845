// Container log rotation, as the kubelet's container log manager does it for the pods it runs: once a
// live log passes maxSize, old rotated files beyond the budget go, the log is renamed to
// "<log>.<stamp>" and conmon is told to reopen it (runtime/logs/conmon-control.ts); older rotated files
// are optionally gzipped. The kubelet checks every 10 s; a container can write 100 MB/s, so each log is
// checked at a pace set by its own growth (10 to 100 ms; the quiet ones together, on a shared 100 ms
// beat) to keep the overshoot small.
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { stat as statNow } from '../common/quick-fs.js';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { errorMessage } from '../common/errors.js';
import { metrics } from '../common/metrics.js';
import { reopenConmonLog } from '../runtime/logs/conmon-control.js';
import { listRotated, rotationStamp } from '../runtime/logs/rotated.js';

export interface LogRotationSettings {
  readonly maxSize: number;
  readonly maxFiles: number;
  readonly compress: boolean;
}

/** A running container whose log this node rotates. */
export interface RotatedLog {
  readonly containerId: string;
  readonly bundleDir: string;
  readonly logPath: string;
  /** False once the container exited (its conmon will not reopen the log). */
  readonly stillRunning: () => boolean;
}

const MIN_CHECK_MS = 10;
const MAX_CHECK_MS = 100;
const FIRST_CHECK_MS = 50;
const LOOKAHEAD_MS = 50;

interface Pace {
  nextAt: number;
  size: number;
  at: number;
  /** Bytes per ms, remembered with decay so a writer's short pause does not stretch the next wait. */
  rate: number;
}

export class ContainerLogRotator {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly pace = new Map<string, Pace>();
  /** Rotations done since start (for `peapod info` and metrics). */
  rotations = 0;

  constructor(
    private readonly settings: LogRotationSettings,
    private readonly logs: () => readonly RotatedLog[],
    private readonly log: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick().finally(() => this.schedule(this.nextDelay())), ms);
    this.timer.unref();
  }

  private nextDelay(): number {
    const now = this.now();
    let next = now + MAX_CHECK_MS;
    for (const p of this.pace.values()) next = Math.min(next, p.nextAt);
    return Math.max(MIN_CHECK_MS, next - now);
  }

  /** Checks every log that is due; one at a time, so rotation never races with itself. */
  async tick(): Promise<void> {
    const logs = this.logs();
    const live = new Set(logs.map((l) => l.containerId));
    for (const id of this.pace.keys()) if (!live.has(id)) this.pace.delete(id);
    for (const entry of logs) {
      const pace = this.pace.get(entry.containerId);
      if (pace && pace.nextAt > this.now()) continue;
      try {
        await this.check(entry, pace);
      } catch (err) {
        this.log(`rotating the log of container ${entry.containerId}: ${errorMessage(err)}`);
        this.pace.set(entry.containerId, { nextAt: this.now() + MAX_CHECK_MS, size: 0, at: this.now(), rate: 0 });
      }
    }
  }

  private async check(entry: RotatedLog, pace: Pace | undefined): Promise<void> {
    // Made directly (a stat of the daemon's own file waits for nothing): with 200 containers these are
    // 2000 calls a second, ≈ 20 % of a CPU through the thread pool.
    const size = await statNow(entry.logPath).then(
      (s) => s.size,
      () => 0,
    );
    const now = this.now();
    // Bytes per ms since the last check; unknown on the first one, which therefore comes back soon.
    const measured = pace && now > pace.at ? Math.max(0, size - pace.size) / (now - pace.at) : undefined;
    const rate = measured === undefined ? undefined : Math.max(measured, (pace?.rate ?? 0) / 2);
    // A fast writer's log is rotated a little early, by what it would write before the next check could
    // run (a busy event loop included), so the live file stays under maxSize rather than overshooting.
    // A log that grows at all is rotated at 90 % at the latest: the rest absorbs a stalled event loop.
    const lookahead = rate === undefined || rate === 0 ? 0 : Math.min(this.settings.maxSize / 4, Math.max(this.settings.maxSize / 10, rate * LOOKAHEAD_MS));
    let current = size;
    if (size > 0 && size + lookahead >= this.settings.maxSize) {
      await this.rotate(entry, size);
      current = 0;
    }
    // Next check when the log, growing at this rate, would be half way to maxSize.
    const room = Math.max(0, this.settings.maxSize - current);
    const wait = rate === undefined ? FIRST_CHECK_MS : rate > 0 ? room / 2 / rate : MAX_CHECK_MS;
    const delay = Math.min(MAX_CHECK_MS, Math.max(MIN_CHECK_MS, wait));
    // A log with the longest wait (quiet, or slow for its room) is next looked at on the shared 100 ms beat,
    // with every other such log: one tick for all of them, not one each at staggered times (100 quiet
    // pods made a tick every few ms). The beat is at most MIN_CHECK_MS later than the wait.
    const nextAt = delay === MAX_CHECK_MS ? Math.ceil((now + MIN_CHECK_MS) / MAX_CHECK_MS) * MAX_CHECK_MS : now + delay;
    this.pace.set(entry.containerId, { nextAt, size: current, at: now, rate: rate ?? 0 });
  }

  private async rotate(entry: RotatedLog, liveSize: number): Promise<void> {
    await this.removeExcess(entry.logPath, liveSize, this.settings.maxFiles - 2);
    const rotated = `${entry.logPath}.${await this.freeStamp(entry.logPath)}`;
    await rename(entry.logPath, rotated);
    try {
      await reopenConmonLog(entry.containerId, entry.bundleDir, entry.logPath, entry.stillRunning);
    } catch (err) {
      // The container stopped (or conmon is stuck): put the log back where readers look for it.
      const back = await stat(entry.logPath).then(
        () => false,
        () => true,
      );
      if (back) await rename(rotated, entry.logPath).catch(() => undefined);
      throw err;
    }
    this.rotations++;
    metrics.logRotations.inc();
    if (this.settings.compress) await this.compressOlder(entry.logPath);
    // The renamed file kept growing until conmon switched (a busy host makes that slow): hold the budget again.
    await this.removeExcess(entry.logPath, 0, this.settings.maxFiles - 1);
  }

  /**
   * Keeps at most `keep` rotated files (maxFiles-2 before a rotation adds one), and only as many (newest
   * first) as fit, with the live file, in (maxFiles-1) × maxSize, so the whole log stays within
   * maxFiles × maxSize even when a fast writer overshot maxSize before the check.
   */
  private async removeExcess(logPath: string, liveSize: number, keep: number): Promise<void> {
    const files = await listRotated(logPath);
    // A file with both forms was being compressed: the .gz is whole only once the plain one is gone.
    const plain = new Set(files.filter((f) => !f.compressed).map((f) => f.stamp));
    const unique = files.filter((f) => !(f.compressed && plain.has(f.stamp)));
    const budget = (this.settings.maxFiles - 1) * this.settings.maxSize - liveSize;
    // The newest `keep` files, then the oldest of those dropped until they fit: removal only ever takes
    // the oldest end, so what remains is one unbroken run of lines (a small gzipped file further back
    // must not outlive a bigger newer one, or the log would have a gap).
    const newest = [...unique].reverse();
    const sizes = await Promise.all(
      newest.map((f) =>
        stat(f.path).then(
          (st) => st.size,
          () => 0,
        ),
      ),
    );
    let count = Math.min(keep, newest.length);
    let total = sizes.slice(0, count).reduce((a, b) => a + b, 0);
    // The newest rotated file always stays (it is what `logs --previous`-style readers and a slow follower
    // need most): a late rotation's overshoot is tolerated for it alone, never for older files.
    while (count > 1 && total > budget) total -= sizes[--count] ?? 0;
    for (const file of newest.slice(count)) {
      await rm(file.path, { force: true });
      if (!file.compressed) await rm(`${file.path}.gz`, { force: true });
    }
  }

  /** Unique stamp: two rotations within a millisecond must not overwrite each other. */
  private async freeStamp(logPath: string): Promise<string> {
    let at = this.now();
    for (;;) {
      const stamp = rotationStamp(new Date(at));
      const taken = await stat(`${logPath}.${stamp}`).then(
        () => true,
        () => false,
      );
      if (!taken) return stamp;
      at++;
    }
  }

  /** gzips every rotated file but the newest (which a slow follower may still be reading by name). */
  private async compressOlder(logPath: string): Promise<void> {
    const plain = (await listRotated(logPath)).filter((f) => !f.compressed);
    for (const file of plain.slice(0, -1)) {
      const tmp = `${file.path}.gz.tmp`;
      await pipeline(createReadStream(file.path), createGzip(), createWriteStream(tmp, { mode: 0o640 }));
      await rename(tmp, `${file.path}.gz`);
      await rm(file.path, { force: true });
    }
  }
}
