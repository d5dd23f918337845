// Facts about processes read straight from /proc (never via ps): namespaces, start times that guard
// against PID reuse, liveness, and a scan of command lines for the leak checker.
import { readFile as readFileOnPool } from 'node:fs/promises';
import { readdir, readFile, readlink } from '../common/quick-fs.js';
import { join } from 'node:path';
import { isErrnoException } from '../common/errors.js';

export const PROC_ROOT = '/proc';

export const NAMESPACE_KINDS = ['net', 'ipc', 'uts', 'pid', 'mnt', 'cgroup', 'user'] as const;
export type NamespaceKind = (typeof NAMESPACE_KINDS)[number];
export type NamespaceInodes = Readonly<Record<NamespaceKind, number>>;

/** The fields of /proc/<pid>/stat that peapod uses. */
export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  /** R, S, D, Z, T, ... (proc(5) field 3). */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  readonly session: number;
  /** Clock ticks since boot (proc(5) field 22). */
  readonly startTime: number;
}

export interface ProcessInfo {
  readonly pid: number;
  readonly cmdline: readonly string[];
}

const NS_LINK = /^[a-z_]+:\[(\d+)\]$/;

/** "net:[4026531993]" → 4026531993. */
export function parseNamespaceLink(link: string): number {
  const m = NS_LINK.exec(link.trim());
  if (!m?.[1]) throw new Error(`unexpected namespace link "${link}" (want "<kind>:[<inode>]")`);
  return Number(m[1]);
}

export async function namespaceInodes(pid: number | 'self', procRoot = PROC_ROOT): Promise<NamespaceInodes> {
  const entries = await Promise.all(
    NAMESPACE_KINDS.map(async (kind) => [kind, parseNamespaceLink(await readlink(join(procRoot, String(pid), 'ns', kind)))] as const),
  );
  return Object.fromEntries(entries) as Record<NamespaceKind, number>;
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) may hold spaces and parentheses, so the fields
 * after it are found from the LAST ')' (proc(5)).
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`malformed /proc stat line: ${text.slice(0, 80)}`);
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const field = (n: number): number => {
    const v = rest[n - 3];
    if (v === undefined) throw new Error(`/proc stat line has no field ${n}`);
    return Number(v);
  };
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    pgrp: field(5),
    session: field(6),
    startTime: field(22),
  };
}

/** The stat of a process, or undefined when there is no such process. */
export async function readProcStat(pid: number, procRoot = PROC_ROOT): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(await readFile(join(procRoot, String(pid), 'stat'), 'utf8'));
  } catch (err) {
    if (isErrnoException(err, 'ENOENT') || isErrnoException(err, 'ESRCH')) return undefined;
    throw err;
  }
}

/** Field 22 of /proc/<pid>/stat (clock ticks since boot); undefined when the process is gone. */
export async function processStartTime(pid: number, procRoot = PROC_ROOT): Promise<number | undefined> {
  return (await readProcStat(pid, procRoot))?.startTime;
}

/**
 * True when `pid` runs and, if given, started at `startTime` (so a reused PID is not mistaken for it).
 * A zombie counts as dead: it has exited and only waits for its parent (here often a slow-reaping
 * PID 1) to collect it.
 */
export async function isAlive(pid: number, startTime?: number, procRoot = PROC_ROOT): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const stat = await readProcStat(pid, procRoot);
  if (stat === undefined || stat.state === 'Z' || stat.state === 'X') return false;
  return startTime === undefined || stat.startTime === startTime;
}

/**
 * Whether a process with this PID exists, by kill(pid, 0): one syscall, no /proc read, but blind to
 * PID reuse and zombies; callers that must be sure confirm with isAlive.
 */
export function pidExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Signals a process only if it is still the one started at `startTime` (proc(5) field 22), the check
 * runc makes before its own kill(2): a PID that was reused is never signalled. 'gone' when it has exited.
 */
export async function signalIfSame(pid: number, startTime: number, signal: NodeJS.Signals, procRoot = PROC_ROOT): Promise<'sent' | 'gone'> {
  if (!(await isAlive(pid, startTime, procRoot))) return 'gone';
  try {
    process.kill(pid, signal);
    return 'sent';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return 'gone';
    throw err;
  }
}

/** PIDs whose process group is `pgid` (proc(5) field 5), from a scan of /proc. */
export async function processGroupMembers(pgid: number, procRoot = PROC_ROOT): Promise<number[]> {
  const names = (await readdir(procRoot)).filter((n) => /^\d+$/.test(n));
  const stats = await Promise.all(names.map((n) => readProcStat(Number(n), procRoot).catch(() => undefined)));
  return stats.filter((st): st is ProcStat => st !== undefined && st.pgrp === pgid && st.state !== 'Z').map((st) => st.pid);
}

/** NUL-separated argv from /proc/<pid>/cmdline; empty for kernel threads and zombies. */
export function parseCmdline(raw: string): string[] {
  const parts = raw.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/** Every live process whose argv matches; processes that vanish during the scan are skipped. */
export async function findProcesses(predicate: (cmdline: readonly string[], pid: number) => boolean, procRoot = PROC_ROOT): Promise<ProcessInfo[]> {
  const names = await readdir(procRoot);
  const found: ProcessInfo[] = [];
  await Promise.all(
    names
      .filter((n) => /^\d+$/.test(n))
      .map(async (name) => {
        const pid = Number(name);
        let raw: string;
        try {
          // Another process's argv is read from its memory (under its mm lock): on the pool, not the loop.
          raw = await readFileOnPool(join(procRoot, name, 'cmdline'), 'utf8');
        } catch {
          return; // exited while we looked
        }
        const cmdline = parseCmdline(raw);
        if (cmdline.length > 0 && predicate(cmdline, pid)) found.push({ pid, cmdline });
      }),
  );
  return found.sort((a, b) => a.pid - b.pid);
}

/** /proc/<pid>/cgroup as controller-list → path ("" for the v2 unified line). */
export async function processCgroups(pid: number | 'self', procRoot = PROC_ROOT): Promise<Map<string, string> | undefined> {
  let text: string;
  try {
    text = await readFile(join(procRoot, String(pid), 'cgroup'), 'utf8');
  } catch (err) {
    if (isErrnoException(err, 'ENOENT') || isErrnoException(err, 'ESRCH')) return undefined;
    throw err;
  }
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    // "hierarchy-ID:controller-list:cgroup-path"; the path may itself contain ':'.
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    out.set(line.slice(first + 1, second), line.slice(second + 1));
  }
  return out;
}

export async function readOomScoreAdj(pid: number | 'self' = 'self', procRoot = PROC_ROOT): Promise<number> {
  return Number((await readFile(join(procRoot, String(pid), 'oom_score_adj'), 'utf8')).trim());
}

/** Capability numbers in a process's bounding set (CapBnd of /proc/<pid>/status). */
export async function boundingCapabilityNumbers(pid: number | 'self' = 'self', procRoot = PROC_ROOT): Promise<number[]> {
  const status = await readFile(`${procRoot}/${pid}/status`, 'utf8');
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0';
  const mask = BigInt(`0x${hex}`);
  const out: number[] = [];
  for (let bit = 0; bit < 64; bit++) if ((mask >> BigInt(bit)) & 1n) out.push(bit);
  return out;
}
