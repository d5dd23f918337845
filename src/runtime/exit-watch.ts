// Standing watches on conmon's exit files, one per running container or pause process: each calls its
// handler once when the process exits, renews itself when the (cheap) wait times out, and ends when
// unwatched or when the runtime closes.
import { PeapodError } from '../common/errors.js';
import type { ExitStatus, OciRuntime } from '../host/oci-runtime/types.js';

/** A container's exit is watched for this long before the watch is renewed (the wait is cheap). */
const EXIT_WATCH_MS = 24 * 3600 * 1000;

export class ExitWatches {
  private readonly watchers = new Map<string, AbortController>();
  private closed = false;

  constructor(
    private readonly oci: Pick<OciRuntime, 'waitExit'>,
    private readonly log: (message: string) => void,
  ) {}

  watch(id: string, onExit: (exit: ExitStatus) => Promise<void>): void {
    if (this.closed || this.watchers.has(id)) return;
    const controller = new AbortController();
    this.watchers.set(id, controller);
    const loop = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        try {
          const exit = await this.oci.waitExit(id, EXIT_WATCH_MS, controller.signal);
          await onExit(exit);
          return;
        } catch (err) {
          if (controller.signal.aborted) return;
          if (err instanceof PeapodError && err.code === 'DeadlineExceeded') continue;
          this.log(`watching ${id}: ${String(err)}`);
          return;
        }
      }
    };
    loop()
      .catch((err: unknown) => this.log(`exit watch ${id}: ${String(err)}`))
      .finally(() => {
        if (this.watchers.get(id) === controller) this.watchers.delete(id);
      });
  }

  unwatch(id: string): void {
    this.watchers.get(id)?.abort();
    this.watchers.delete(id);
  }

  close(): void {
    this.closed = true;
    for (const controller of this.watchers.values()) controller.abort();
    this.watchers.clear();
  }
}
