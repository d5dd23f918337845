// The end-of-test check that nothing was left behind on the host: mounts, cgroups (every hierarchy),
// netns pins, veths, IP leases, iptables rules, processes and files. It looks only at objects named by
// the test's own roots, so concurrent tests and a user's peapod never show up here.
import { SANDBOX_PAUSE_PATH } from '../../src/oci/spec.js';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { PeapodConfig } from '../../src/common/config.js';
import { paths } from '../../src/common/config.js';
import { runUnchecked } from '../../src/host/exec.js';
import { ownedChainPrefixes } from '../../src/host/network/service-rules.js';
import { isUnder, readMountInfo } from '../../src/host/mount.js';
import { findProcesses, isAlive } from '../../src/host/proc.js';
import { STATE_LOCK_FILE } from '../../src/host/state-lock.js';
import { cgroupMountPoints, cgroupProcs, dirsBelow } from './cgroupfs.js';

export { waitFor } from './wait.js';
export { runCli } from './cli.js';

export interface HostObjects {
  readonly mounts: string[];
  readonly cgroups: string[];
  readonly netns: string[];
  readonly links: string[];
  readonly ipLeases: string[];
  readonly iptables: string[];
  readonly processes: string[];
  readonly files: string[];
  /** local-path PersistentVolume directories (a claim deleted with reclaim policy Delete leaves none). */
  readonly volumes: string[];
}

export interface LeakCheckOptions {
  /** Sandbox/container IDs whose iptables rules (CNI comments) must be gone. */
  readonly ids?: readonly string[];
  /** CNI network names (rules, and host-local's default /var/lib/cni/networks/<name>). */
  readonly networkNames?: readonly string[];
  /**
   * cgroups below cgroupRoot that may stay while empty of processes, relative to it. Default: the QoS
   * skeleton a daemon creates once (kubepods, kubepods/burstable, kubepods/besteffort); pod-level
   * cgroups are always leaks.
   */
  readonly allowedCgroups?: readonly string[];
  /**
   * How long leftovers may take to go away by themselves (a conmon exits a moment after writing the
   * exit file; the kernel frees a cgroup a moment after its last process): default 2000 ms.
   */
  readonly settleMs?: number;
}

export const DEFAULT_SETTLE_MS = 2000;
const SETTLE_INTERVAL_MS = 100;

export const QOS_CGROUPS = ['kubepods', 'kubepods/burstable', 'kubepods/besteffort'] as const;

export async function listHostObjects(config: PeapodConfig, options: LeakCheckOptions = {}): Promise<HostObjects> {
  const daemonPid = await runningDaemonPid(config);
  const [mounts, cgroups, netns, links, ipLeases, iptables, processes, files, volumes] = await Promise.all([
    leakedMounts(config),
    leakedCgroups(config, options.allowedCgroups ?? QOS_CGROUPS),
    listFiles(paths(config).netns),
    leakedLinks(config.bridge),
    leakedLeases(config, options.networkNames ?? []),
    leakedRules(config, options),
    leakedProcesses(config, daemonPid),
    leakedFiles(config, daemonPid),
    readdir(paths(config).localPath).then(
      (names) => names.map((n) => join(paths(config).localPath, n)),
      () => [],
    ),
  ]);
  return { mounts, cgroups, netns, links, ipLeases, iptables, processes, files, volumes };
}

/** Fails with one message listing every leftover, grouped by kind. */
export async function assertNoLeaks(config: PeapodConfig, options: LeakCheckOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.settleMs ?? DEFAULT_SETTLE_MS);
  let report = formatLeaks(await listHostObjects(config, options));
  while (report !== '' && Date.now() < deadline) {
    await delay(SETTLE_INTERVAL_MS);
    report = formatLeaks(await listHostObjects(config, options));
  }
  assert.equal(report, '', `host objects left behind by the test:\n${report}`);
}

export function formatLeaks(objects: HostObjects): string {
  return Object.entries(objects)
    .filter(([, items]) => (items as string[]).length > 0)
    .map(([kind, items]) => `  ${kind}:\n${(items as string[]).map((i) => `    - ${i}`).join('\n')}`)
    .join('\n');
}

async function leakedMounts(config: PeapodConfig): Promise<string[]> {
  const roots = [config.root, config.runRoot];
  return (await readMountInfo())
    .filter((m) => roots.some((r) => isUnder(m.target, r) || isUnder(m.root, r) || isUnder(m.source, r) || m.superOptions.includes(r)))
    .map((m) => `${m.target} (${m.fsType} from ${m.source}${m.root === '/' ? '' : ` ${m.root}`})`);
}

async function leakedCgroups(config: PeapodConfig, allowed: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const mount of await cgroupMountPoints()) {
    const base = join(mount, config.cgroupRoot);
    for (const dir of await dirsBelow(base)) {
      const procs = await cgroupProcs(dir);
      if (procs.length === 0 && allowed.includes(relative(base, dir))) continue;
      out.push(procs.length > 0 ? `${dir} (processes ${procs.join(', ')})` : dir);
    }
    // Processes directly in the root of our tree are leaks too, even though the dir itself may stay.
    const rootProcs = await cgroupProcs(base);
    if (rootProcs.length > 0) out.push(`${base} (processes ${rootProcs.join(', ')})`);
  }
  return out;
}

async function leakedLinks(bridge: string): Promise<string[]> {
  const out: string[] = [];
  const exists = await runUnchecked('ip', ['-j', 'link', 'show', 'dev', bridge], { timeoutMs: 5000 });
  if (exists.code !== 0) return out; // no bridge, so nothing can be attached to it
  out.push(`bridge ${bridge}`);
  const attached = await runUnchecked('ip', ['-j', 'link', 'show', 'master', bridge], { timeoutMs: 5000 });
  if (attached.code === 0 && attached.stdout.trim() !== '') {
    for (const link of JSON.parse(attached.stdout) as { ifname?: string }[]) out.push(`${link.ifname ?? '?'} (attached to ${bridge})`);
  }
  return out;
}

const IP_FILE = /^(\d{1,3}\.){3}\d{1,3}$|:/;

/** host-local keeps one file per allocated IP, plus last_reserved_ip.* and lock, which are not leases. */
async function leakedLeases(config: PeapodConfig, networkNames: readonly string[]): Promise<string[]> {
  const dataDirs = [paths(config).cniNetworks, join(config.runRoot, 'cni', 'networks')];
  const networkDirs: string[] = networkNames.map((n) => join('/var/lib/cni/networks', n));
  for (const d of dataDirs) {
    const nets = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const n of nets) if (n.isDirectory()) networkDirs.push(join(d, n.name));
  }
  const out: string[] = [];
  for (const dir of networkDirs) {
    for (const name of await readdir(dir).catch(() => [] as string[])) if (IP_FILE.test(name)) out.push(join(dir, name));
  }
  return out;
}

/** "10.171.33.0/24" → "10.171.33." : the text every address of the subnet starts with. */
export function subnetPrefix(subnet: string): string | undefined {
  const [addr, bits] = subnet.split('/');
  const octets = Math.floor(Number(bits ?? '32') / 8);
  if (!addr || octets < 2) return undefined;
  return `${addr.split('.').slice(0, octets).join('.')}.`;
}

async function leakedRules(config: PeapodConfig, options: LeakCheckOptions): Promise<string[]> {
  const r = await runUnchecked('iptables-save', [], { timeoutMs: 10_000 });
  if (r.code !== 0) return [`iptables-save failed: ${r.stderr.trim()}`];
  const prefixes = [subnetPrefix(config.subnet), subnetPrefix(config.serviceCidr)].filter((p): p is string => p !== undefined);
  const needles = [config.bridge, ...(options.networkNames ?? []), ...(options.ids ?? []), ...prefixes].filter((n) => n !== '');
  const lines = r.stdout.split('\n').filter((line) => !line.startsWith('#'));
  // The Service proxy's chains by name (service-rules.ts), even empty ones: a chain left behind is a leak.
  const chainPrefixes = ownedChainPrefixes(config.bridge);
  const isOurChain = (line: string): boolean => line.startsWith(':') && chainPrefixes.some((p) => line.slice(1).startsWith(p));
  return lines.filter((line) => isOurChain(line) || needles.some((n) => line.includes(n)));
}

async function leakedProcesses(config: PeapodConfig, daemonPid: number | undefined): Promise<string[]> {
  const procs = await findProcesses(
    (argv, pid) => pid !== process.pid && pid !== daemonPid && argv.some((a) => a.includes(config.root) || a.includes(config.runRoot)),
  );
  return procs.map((p) => `${p.pid}: ${p.cmdline.join(' ')}`);
}

/**
 * Everything under runRoot but the running daemon's socket, pid file and log (netns pins are listed
 * apart), the state lock file, which is kept on purpose (host/state-lock.ts says why), and the pause
 * binary's mount point in the pauses' shared root filesystem, kept for the next pause (runtime/sandbox/pause-rootfs.ts).
 */
async function leakedFiles(config: PeapodConfig, daemonPid: number | undefined): Promise<string[]> {
  const p = paths(config);
  const allowed = new Set([join(config.runRoot, STATE_LOCK_FILE), ...(daemonPid === undefined ? [] : [config.socket, p.daemonPid, p.daemonLog])]);
  return (await listFiles(config.runRoot)).filter((f) => !allowed.has(f) && !isUnder(f, p.netns) && f !== join(p.pauseRootfs, SANDBOX_PAUSE_PATH));
}

async function runningDaemonPid(config: PeapodConfig): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(paths(config).daemonPid, 'utf8')).trim());
    return (await isAlive(pid)) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Every non-directory below `dir` (recursively); [] when it does not exist. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
