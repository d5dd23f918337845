// A peapod daemon on a benchmark's own roots (the integration tests' isolation), the busybox image
// loaded, and the real CLI to drive it.
import { makeTestRoots, type TestRoots } from '../../test/helpers/roots.js';
import { runCli } from '../../test/helpers/cli.js';
import { loadBusybox, startDaemon, type TestDaemon } from '../../test/helpers/daemon.js';
import { assertNoLeaks } from '../../test/helpers/leaks.js';
import { ApiClient } from '../../src/api/client.js';
import { readManifestSources } from '../../src/kube/manifest-sources.js';

/** How long an API apply waits for its pods to run (the CLI's --wait default). */
const API_WAIT_MS = 300_000;

export interface BenchDaemon {
  readonly roots: TestRoots;
  readonly daemon: TestDaemon;
  /** Runs the CLI; rejects on a non-zero exit. */
  cli(args: readonly string[], timeoutMs?: number): Promise<string>;
  /** The daemon side of the CLI's verbs: the same requests over the API socket, from this process. */
  readonly api: ApiClient;
  /** What `apply -f FILE --wait` asks the daemon, without the CLI. */
  apiApply(file: string): Promise<void>;
  /** What `delete pod NAME` asks the daemon, without the CLI. */
  apiDeletePod(name: string): Promise<void>;
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
  const api = new ApiClient(roots.config.socket);
  return {
    roots,
    daemon,
    cli,
    api,
    async apiApply(file) {
      const sources = await readManifestSources(file);
      await api.call('POST', '/v1/apply/manifests', { body: { source: file, sources, force: false, waitMs: API_WAIT_MS } });
    },
    async apiDeletePod(name) {
      const r = await api.call<{ deleted: boolean }>('DELETE', `/v1/namespaces/default/pods/${encodeURIComponent(name)}`);
      if (!r.deleted) throw new Error(`pod ${name} was not there to delete`);
    },
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
