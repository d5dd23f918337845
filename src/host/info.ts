// What `peapod info` reports about the host: tool versions and the cgroup layout.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runUnchecked } from './exec.js';
import { createCgroupManager } from './cgroups/index.js';
import { controllerProblem, type ControllerReport } from './cgroups/controllers.js';

export type CgroupVersion = 'v1' | 'v2';

export interface HostInfo {
  readonly runtime: string;
  readonly conmon: string;
  readonly pause: string;
  readonly cni: string;
  readonly cgroupVersion: CgroupVersion;
  readonly cgroupDriver: 'cgroupfs';
  /** Controllers peapod's cgroups get (v2: those the cgroup root's level offers; v1: mounted hierarchies). */
  readonly cgroupControllers: readonly string[];
  /** Why pods cannot run here: a required controller missing, naming the file. */
  readonly cgroupProblem?: string;
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

/** Debian builds the plugins without a version string ("version unknown"); the package knows it. */
async function cniVersion(cniBinDir: string): Promise<string> {
  const own = (await firstLine(join(cniBinDir, 'bridge'), ['--version'])).replace(/^CNI bridge plugin\s*/, '');
  if (own !== 'not found' && !own.includes('unknown')) return own;
  const pkg = await firstLine('dpkg-query', ['-W', '-f=${Version}', 'containernetworking-plugins']);
  return pkg === 'not found' ? own : `${pkg} (containernetworking-plugins)`;
}

async function cgroupControllers(): Promise<ControllerReport> {
  return (await createCgroupManager()).controllers();
}

export async function hostInfo(runtimePath: string, conmonPath: string, pausePath: string, cniBinDir: string): Promise<HostInfo> {
  const [runtime, conmon, pause, cni, controllers, kernel] = await Promise.all([
    firstLine(runtimePath, ['--version']),
    firstLine(conmonPath, ['--version']),
    firstLine(pausePath, ['--version']),
    cniVersion(cniBinDir),
    cgroupControllers(),
    readFile('/proc/sys/kernel/osrelease', 'utf8').then(
      (s) => s.trim(),
      () => 'unknown',
    ),
  ]);
  const problem = controllerProblem(controllers);
  return {
    runtime,
    conmon,
    pause,
    cni,
    cgroupVersion: controllers.version,
    cgroupDriver: 'cgroupfs',
    cgroupControllers: controllers.available,
    ...(problem !== undefined ? { cgroupProblem: problem } : {}),
    kernel,
  };
}
