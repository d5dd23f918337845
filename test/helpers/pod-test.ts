// The common frame of a pod integration test: isolated roots, a real daemon with the offline busybox
// image loaded, and teardown that stops the daemon and force-cleans the roots even when the test failed.
// Tests still delete their pods, stop the daemon and call assertNoLeaks themselves: that is what they prove.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTestRoots, type TestRoots } from './roots.js';
import type { ConfigOverrides } from '../../src/common/config.js';
import { loadBusybox, startDaemon, type TestDaemon } from './daemon.js';
import { runCli } from './cli.js';

export interface PodTest {
  readonly roots: TestRoots;
  readonly env: NodeJS.ProcessEnv;
  readonly daemon: TestDaemon;
  /** Writes a manifest into the test's directory and applies it; rejects on a non-zero exit. */
  apply(name: string, manifest: string): Promise<string>;
  /** `get pod NAME -o json`, or undefined when the pod does not exist. */
  pod<T>(name: string): Promise<T | undefined>;
}

/** overrides: daemon settings for this test (e.g. a small containerLogMaxSize). */
export async function startPodTest(t: { after: (fn: () => Promise<void>) => void }, overrides: ConfigOverrides = {}): Promise<PodTest> {
  const roots = await makeTestRoots(overrides);
  const env = roots.env();
  const daemon = await startDaemon(roots);
  t.after(async () => {
    await daemon.stop().catch(() => undefined);
    await roots.cleanup();
  });
  await loadBusybox(roots);
  return {
    roots,
    env,
    daemon,
    async apply(name, manifest) {
      const file = join(roots.dir, name);
      await writeFile(file, manifest);
      const r = await runCli(env, ['apply', '-f', file]);
      if (r.code !== 0) throw new Error(`peapod apply -f ${name} failed: ${r.stderr}`);
      return r.stdout;
    },
    async pod<T>(name: string): Promise<T | undefined> {
      const r = await runCli(env, ['get', 'pod', name, '-o', 'json']);
      return r.code === 0 ? (JSON.parse(r.stdout) as T) : undefined;
    },
  };
}
