// Per-file setup of the runtime tests: unique roots, a real runc+conmon runtime over them, and a
// teardown that removes every container through the runtime, proves nothing leaked, then scrubs.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { paths } from '../../src/common/config.js';
import { createOciRuntime } from '../../src/host/oci-runtime/runtime.js';
import type { OciRuntime } from '../../src/host/oci-runtime/types.js';
import { assertNoLeaks } from '../helpers/leaks.js';
import { makeTestRoots } from '../helpers/roots.js';
import type { TestRoots } from '../helpers/roots.js';
import { makeBundle } from './bundle.js';
import type { BundleOptions } from './bundle.js';

export interface TestContainer {
  readonly id: string;
  readonly bundle: string;
  readonly logPath: string;
}

export interface RuntimeFixture {
  readonly roots: TestRoots;
  readonly runtime: OciRuntime;
  /** Writes a bundle for a new unique container ID (nothing is created in runc yet). */
  bundle(args: readonly string[], options?: Omit<BundleOptions, 'args' | 'cgroupsPath'>): Promise<TestContainer>;
  /** bundle() + create + start. */
  run(args: readonly string[], options?: Omit<BundleOptions, 'args' | 'cgroupsPath'>): Promise<TestContainer & { pid: number; conmonPid: number }>;
  /** Removes every container via the runtime, asserts no leaks, then force-cleans. */
  teardown(): Promise<void>;
}

export async function makeRuntimeFixture(): Promise<RuntimeFixture> {
  const roots = await makeTestRoots();
  const p = paths(roots.config);
  const runtime = createOciRuntime({
    runtimePath: roots.config.runtimePath,
    conmonPath: roots.config.conmonPath,
    runcRoot: p.runcRoot,
    stateDir: p.conmon,
    exitDir: p.exits,
  });
  const bundle = async (args: readonly string[], options: Omit<BundleOptions, 'args' | 'cgroupsPath'> = {}): Promise<TestContainer> => {
    const id = `t${randomBytes(6).toString('hex')}`;
    const dir = join(roots.config.root, 'bundles', id);
    await makeBundle(dir, { ...options, args, cgroupsPath: `${roots.config.cgroupRoot}/${id}` });
    return { id, bundle: dir, logPath: join(roots.config.root, 'logs', `${id}.log`) };
  };
  return {
    roots,
    runtime,
    bundle,
    async run(args, options = {}) {
      const c = await bundle(args, options);
      const created = await runtime.create(c.id, { bundle: c.bundle, logPath: c.logPath });
      await runtime.start(c.id);
      return { ...c, ...created };
    },
    async teardown() {
      try {
        const ids = await runtime.list();
        await Promise.all(ids.map((id) => runtime.remove(id)));
        await assertNoLeaks(roots.config);
      } finally {
        await roots.cleanup();
      }
    },
  };
}
