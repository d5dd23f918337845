// V8 settings for the daemon. It lives long and idles most of the time, while V8's defaults size the heap
// for throughput (16 MB semi-spaces, eager old-space growth): with 100 pods the daemon's live heap was
// ≈19 MB but its RSS 116 MB. These trade a little speed for memory (measured: 116 → 82 MB RSS with 100
// pods, pod start unchanged within noise); `npm run bench` reports the figure.
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';

export const DAEMON_NODE_FLAGS = ['--max-semi-space-size=1', '--optimize-for-size'] as const;

/**
 * glibc malloc settings for the daemon's process (they are read at its start, so they come from its
 * environment). One arena: the V8 compiler and GC threads and libuv's pool otherwise each keep an arena
 * whose freed memory stays resident; fixed thresholds: glibc would otherwise raise its trim threshold
 * after each large free and keep up to twice that much free memory. Measured with 100 pods: 78 → 74 MB
 * RSS; pod start unchanged within noise (the tracer, docs/status.md).
 */
export const DAEMON_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '1',
  MALLOC_TRIM_THRESHOLD_: '131072',
  MALLOC_MMAP_THRESHOLD_: '131072',
};

/** The script a started daemon runs (daemon-main.ts: no CLI code loaded); beside this module, bundled or not. */
export const DAEMON_MAIN = fileURLToPath(new URL('./daemon-main.js', import.meta.url));

/**
 * For a daemon started without the flags (`peapod daemon` from a shell): --optimize-for-size still
 * works when set at run time; the semi-space size is fixed when the heap is set up, so it only comes
 * from the command line (the CLI's on-demand start passes it).
 */
export function applyDaemonFlagsAtRuntime(): void {
  if (!process.execArgv.includes('--optimize-for-size')) setFlagsFromString('--optimize-for-size');
}
