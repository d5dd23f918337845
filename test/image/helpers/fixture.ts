// Per-test isolation for image tests: a temp root (images, snapshots, auth file) and a config pointing
// only there, all removed in t.after.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { resolveConfig, type PeapodConfig } from '../../../src/common/config.js';
import { startRegistry, type Registry } from './registry.js';

export async function tempDir(t: TestContext, prefix = 'peapod-image-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function testConfig(t: TestContext, overrides: Partial<PeapodConfig> = {}): Promise<PeapodConfig> {
  const dir = await tempDir(t);
  const base = resolveConfig(
    {
      root: join(dir, 'root'),
      runRoot: join(dir, 'run'),
      authFile: join(dir, 'auth.json'),
    },
    {},
  );
  return { ...base, ...overrides };
}

export async function registryFor(t: TestContext, options: Parameters<typeof startRegistry>[0] = {}): Promise<Registry> {
  const registry = await startRegistry(options);
  t.after(() => registry.stop());
  return registry;
}
