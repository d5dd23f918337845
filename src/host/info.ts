// What `peapod info` reports about the host: tool versions and the cgroup layout.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runUnchecked } from './exec.js';

export type CgroupVersion = 'v1' | 'v2';

export interface HostInfo {
  readonly runtime: string;
  readonly conmon: string;
  readonly pause: string;
  readonly cni: string;
  readonly cgroupVersion: CgroupVersion;
  readonly cgroupDriver: 'cgroupfs';
  readonly kernel: string;
}

async function firstLine(file: string, args: readonly string[]): Promise<string> {
  try {
    const r = await runUnchecked(file, args, { timeoutMs: 5000 });
    const line = (r.stdout || r.stderr).split('\n').find((l) => l.trim() !== '');
    return r.code === 0 && line ? line.trim() : 'not found';
  } catch {
    return 'not found';
  }
}

/** v2 when /sys/fs/cgroup itself is the unified hierarchy; v1 (possibly hybrid) otherwise. */
export async function detectCgroupVersion(cgroupFsRoot = '/sys/fs/cgroup'): Promise<CgroupVersion> {
  try {
    await stat(join(cgroupFsRoot, 'cgroup.controllers'));
    return 'v2';
  } catch {
    return 'v1';
  }
}

/** Debian builds the plugins without a version string ("version unknown"); the package knows it. */
async function cniVersion(cniBinDir: string): Promise<string> {
  const own = (await firstLine(join(cniBinDir, 'bridge'), ['--version'])).replace(/^CNI bridge plugin\s*/, '');
  if (own !== 'not found' && !own.includes('unknown')) return own;
  const pkg = await firstLine('dpkg-query', ['-W', '-f=${Version}', 'containernetworking-plugins']);
  return pkg === 'not found' ? own : `${pkg} (containernetworking-plugins)`;
}

export async function hostInfo(runtimePath: string, conmonPath: string, pausePath: string, cniBinDir: string): Promise<HostInfo> {
  const [runtime, conmon, pause, cni, cgroupVersion, kernel] = await Promise.all([
    firstLine(runtimePath, ['--version']),
    firstLine(conmonPath, ['--version']),
    firstLine(pausePath, ['--version']),
    cniVersion(cniBinDir),
    detectCgroupVersion(),
    readFile('/proc/sys/kernel/osrelease', 'utf8').then((s) => s.trim(), () => 'unknown'),
  ]);
  return { runtime, conmon, pause, cni, cgroupVersion, cgroupDriver: 'cgroupfs', kernel };
}
