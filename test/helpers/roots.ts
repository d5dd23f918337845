// Unique roots for one integration test: its own state dirs, sockets, cgroup parent, bridge and subnet,
// so tests (and a user's peapod) run side by side on one host without touching each other's objects.
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readdir, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configToEnv, resolveConfig } from '../../src/common/config.js';
import type { ConfigOverrides, PeapodConfig } from '../../src/common/config.js';
import { runUnchecked } from '../../src/host/exec.js';
import { createPodNetworkManager } from '../../src/host/network/manager.js';
import { createServiceProxy } from '../../src/host/network/service-proxy.js';
import { listMounts, unmount } from '../../src/host/mount.js';
import { findProcesses } from '../../src/host/proc.js';
import { cgroupMountPoints, cgroupProcs } from './cgroupfs.js';
import { isErrnoException } from '../../src/common/errors.js';
import { setTimeout as delay } from 'node:timers/promises';

/** 10.150.0.0 – 10.250.255.0: away from the default 10.89/16 and from common LAN ranges. */
const SUBNET_SECOND_OCTET = { min: 150, max: 250 } as const;

export interface TestRoots {
  readonly config: PeapodConfig;
  /** The mkdtemp directory holding root, runRoot and the other files. */
  readonly dir: string;
  /** PEAPOD_* variables (plus the current PATH) that make a spawned daemon or CLI use these roots. */
  env(): NodeJS.ProcessEnv;
  /**
   * Forcibly removes whatever is left (processes, mounts, cgroups, bridge, files). Call it after
   * assertNoLeaks, which is what proves the code under test cleaned up by itself.
   */
  cleanup(): Promise<void>;
}

/** 10.100.0.0 – 10.149.255.0: a test's service range, apart from test pod subnets and the default 10.96/16. */
const SERVICE_SECOND_OCTET = { min: 100, max: 149 } as const;

export function randomServiceCidr(): string {
  return `10.${randomInt(SERVICE_SECOND_OCTET.min, SERVICE_SECOND_OCTET.max + 1)}.${randomInt(0, 256)}.0/24`;
}

export function randomSubnet(): string {
  return `10.${randomInt(SUBNET_SECOND_OCTET.min, SUBNET_SECOND_OCTET.max + 1)}.${randomInt(0, 256)}.0/24`;
}

export async function makeTestRoots(overrides: ConfigOverrides = {}): Promise<TestRoots> {
  const dir = await mkdtemp(join(tmpdir(), 'peapod-test-'));
  const runRoot = join(dir, 'run');
  const config = resolveConfig(
    {
      root: join(dir, 'root'),
      runRoot,
      socket: join(runRoot, 'peapod.sock'),
      criSocket: '',
      kubeApiPort: '',
      cgroupRoot: `/peapod-test-${randomBytes(4).toString('hex')}`,
      bridge: `pt${randomBytes(3).toString('hex')}`,
      subnet: randomSubnet(),
      // Parallel test daemons hook their Service rules into the same built-in chains: cluster IPs must not collide.
      serviceCidr: randomServiceCidr(),
      manifestDir: join(dir, 'manifests'),
      authFile: join(dir, 'auth.json'),
      // Never the host's /etc/peapod/registries.yaml: a test's mirrors are its own.
      registriesConfig: join(dir, 'registries.yaml'),
      // The host's memory and disk (shared with other tests, or filled on purpose by the exhaustion tests)
      // must not evict a test's pods or collect its images: the tests of those features turn them on.
      evictionHard: 'none',
      imageGcHighPercent: 100,
      imageGcLowPercent: 99,
      ...overrides,
    },
    // Defaults only: a PEAPOD_* variable in the test runner's environment must not leak into the test.
    {},
  );
  return {
    config,
    dir,
    env: () => ({ ...configToEnv(config), PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: process.env.HOME ?? '/root' }),
    cleanup: () => forceCleanup(config, dir),
  };
}

/** Best effort, in dependency order: processes, then mounts, then cgroups, links and files. */
export async function forceCleanup(config: PeapodConfig, dir: string): Promise<void> {
  const procs = await findProcesses((argv) => argv.some((a) => a.includes(dir)));
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const m of (await listMounts(dir)).reverse()) await unmount(m.target, { lazy: true }).catch(() => undefined);
  await removeCgroupTree(config.cgroupRoot);
  // The bridge and the subnet's masquerade chain, exactly as the daemon's own shutdown removes them, and the Service rules.
  await createPodNetworkManager(config)
    .removeHostSetup()
    .catch(() => undefined);
  await createServiceProxy(config.bridge, config.subnet)
    .removeAll()
    .catch(() => undefined);
  await runUnchecked('ip', ['link', 'del', config.bridge], { timeoutMs: 5000 }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Removes <mount>/<cgroupPath> and everything under it in every hierarchy, deepest first. */
export async function removeCgroupTree(cgroupPath: string): Promise<void> {
  for (const mount of await cgroupMountPoints()) {
    await removeDirsDeepestFirst(join(mount, cgroupPath));
  }
}

async function removeDirsDeepestFirst(path: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) await removeDirsDeepestFirst(join(path, e.name));
  for (const pid of await cgroupProcs(path)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  // cgroupfs: rmdir on a directory full of control files works; rm -r does not. A killed process
  // leaves its cgroup a moment after the signal, hence a few bounded tries.
  for (let attempt = 0; attempt < RMDIR_ATTEMPTS; attempt++) {
    try {
      await rmdir(path);
      return;
    } catch (err) {
      if (isErrnoException(err, 'ENOENT')) return;
      await delay(RMDIR_RETRY_MS);
    }
  }
}

const RMDIR_ATTEMPTS = 20;
const RMDIR_RETRY_MS = 50;
