// Memory readings for the benchmarks: a process's RSS, and the proportional set size (PSS: shared pages
// split between their users) of a runtime's per-pod helper processes, its conmons and pause processes.
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { findProcesses, processCgroups, readProcStat } from '../../src/host/proc.js';
import { median } from '../stats.js';

const MB = 1024 * 1024;

async function statusKb(pid: number, field: string): Promise<number> {
  const text = await readFile(`/proc/${pid}/${field === 'Pss' ? 'smaps_rollup' : 'status'}`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!match?.[1]) throw new Error(`/proc/${pid}: no ${field}`);
  return Number(match[1]);
}

export async function rssMb(pid: number): Promise<number> {
  return ((await statusKb(pid, 'VmRSS')) * 1024) / MB;
}

/**
 * A daemon's RSS once a burst is over: `count` readings a second apart, their median and highest. One
 * reading lands wherever V8 happens to be: with 100 pods the daemon sat at 78 MB for the 5 s after the
 * apply, fell to 69 MB when V8's memory reducer ran (≈ 8 s after the burst), then moved between 69 and
 * 77 MB with the pods idling (1 Hz readings, 30 s).
 */
export async function steadyRssMb(pid: number, count: number): Promise<{ median: number; max: number; readings: number[] }> {
  const readings: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await delay(1000);
    readings.push(await rssMb(pid));
  }
  return { median: median(readings), max: Math.max(...readings), readings };
}

/**
 * The PSS of every conmon whose command line matches, plus the pause processes: each conmon's catatonit
 * child (podman's infra), or with `pauseCgroup`, every catatonit in a cgroup whose path holds it (peapod
 * runs its pauses with no monitor): the memory a runtime spends per pod besides the workload.
 */
export async function helperPssMb(
  conmonMatches: (argv: readonly string[]) => boolean,
  pauseCgroup?: string,
): Promise<{ mb: number; conmons: number; pauses: number }> {
  const conmons = await findProcesses((argv) => (argv[0] ?? '').endsWith('conmon') && conmonMatches(argv));
  const conmonPids = new Set(conmons.map((p) => p.pid));
  const pauses = [];
  for (const p of await findProcesses((argv) => (argv[0] ?? '').endsWith('catatonit'))) {
    if (pauseCgroup === undefined) {
      const stat = await readProcStat(p.pid);
      if (stat && conmonPids.has(stat.ppid)) pauses.push(p);
    } else if ([...((await processCgroups(p.pid)) ?? new Map<string, string>()).values()].some((path) => path.includes(pauseCgroup))) pauses.push(p);
  }
  let kb = 0;
  for (const p of [...conmons, ...pauses]) kb += await statusKb(p.pid, 'Pss').catch(() => 0);
  return { mb: (kb * 1024) / MB, conmons: conmons.length, pauses: pauses.length };
}

/** RSS (MB) of the daemon's resident spawner (host/spawner.ts), its python3 child; 0 when it has none. */
export async function spawnerRssMb(daemonPid: number): Promise<number> {
  for (const p of await findProcesses((argv) => (argv[0] ?? '').endsWith('python3'))) {
    if ((await readProcStat(p.pid))?.ppid === daemonPid) return rssMb(p.pid);
  }
  return 0;
}
