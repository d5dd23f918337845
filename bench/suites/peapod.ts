// A peapod daemon on a benchmark's own roots (the integration tests' isolation), the busybox image
// loaded, and the real CLI to drive it.
import { makeTestRoots, type TestRoots } from '../../test/helpers/roots.js';
import { runCli } from '../../test/helpers/cli.js';
import { loadBusybox, startDaemon, type TestDaemon } from '../../test/helpers/daemon.js';
import { assertNoLeaks } from '../../test/helpers/leaks.js';

export interface BenchDaemon {
  readonly roots: TestRoots;
  readonly daemon: TestDaemon;
  /** Runs the CLI; rejects on a non-zero exit. */
  cli(args: readonly string[], timeoutMs?: number): Promise<string>;
  /** Stops the daemon, checks that nothing leaked and removes the roots. */
  close(): Promise<void>;
}

export async function startBenchDaemon(): Promise<BenchDaemon> {
  const roots = await makeTestRoots();
  const daemon = await startDaemon(roots);
  const env = roots.env();
  const cli = async (args: readonly string[], timeoutMs?: number): Promise<string> => {
    const r = await runCli(env, args, timeoutMs === undefined ? {} : { timeoutMs });
    if (r.code !== 0) throw new Error(`peapod ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  try {
    await loadBusybox(roots);
  } catch (err) {
    await daemon.stop();
    await roots.cleanup();
    throw err;
  }
  return {
    roots,
    daemon,
    cli,
    async close() {
      try {
        await daemon.stop();
        await assertNoLeaks(roots.config);
      } finally {
        await roots.cleanup();
      }
    },
  };
}
