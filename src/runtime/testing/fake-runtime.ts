// A real Runtime over the fake host and fresh record directories, for the runtime's component tests;
// closed (its exit watches end) and its directory removed after the test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime, type RuntimeOptions } from '../runtime.js';
import type { RuntimeDirs } from '../host.js';
import type { SandboxConfig } from '../types.js';
import { FakeHost } from './fake-host.js';

export interface FakeRuntime {
  readonly host: FakeHost;
  readonly dirs: RuntimeDirs;
  readonly runtime: Runtime;
}

export async function fakeRuntime(t: { after: (fn: () => Promise<void>) => void }, prefix = 'runtime-', options: RuntimeOptions = {}): Promise<FakeRuntime> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dirs: RuntimeDirs = {
    sandboxRecords: join(dir, 'records/sandboxes'),
    containerRecords: join(dir, 'records/containers'),
    sandboxes: join(dir, 'sandboxes'),
    pauseRootfs: join(dir, 'pause-rootfs'),
    containers: join(dir, 'containers'),
    pausePath: '/usr/bin/catatonit',
    hostResolvConf: join(dir, 'missing-resolv.conf'),
    hostHosts: join(dir, 'missing-hosts'),
  };
  const host = new FakeHost();
  const runtime = new Runtime(host, dirs, undefined, options);
  // Exit watchers (containers and pause processes) live until the runtime is closed.
  t.after(() => Promise.resolve(runtime.close()));
  await runtime.load();
  return { host, dirs, runtime };
}

/** A plain pod-network sandbox named p (uid u1), its logs under `dir`. */
export function sandboxConfig(dir: string, overrides: Partial<SandboxConfig> = {}): SandboxConfig {
  return {
    name: 'p',
    namespace: 'default',
    uid: 'u1',
    attempt: 0,
    hostname: 'p',
    cgroupParent: '/test/kubepods/besteffort/podu1',
    podResources: {},
    network: 'pod',
    pid: 'container',
    ipc: 'pod',
    portMappings: [],
    dns: undefined,
    hostAliases: [],
    sysctls: {},
    labels: {},
    annotations: {},
    logDirectory: join(dir, 'logs'),
    oomScoreAdj: 0,
    ...overrides,
  };
}
