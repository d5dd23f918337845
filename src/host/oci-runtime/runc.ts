// Thin typed wrappers over the runc command line (runc 1.1), always with our own --root so that two
// peapods (a test's and a user's) never see each other's containers.
import { PeapodError } from '../../common/errors.js';
import { CommandError, runUnchecked } from '../exec.js';
import type { RunResult } from '../exec.js';

/** runc answers in milliseconds; a minute means it is stuck (a frozen cgroup, a hung FUSE mount). */
export const RUNC_TIMEOUT_MS = 60_000;

export type RuncStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

/** `runc state` output (runc's libcontainer/state_linux.go + cmd state.go). */
export interface RuncState {
  readonly id: string;
  readonly pid: number;
  readonly status: RuncStatus;
  readonly bundle: string;
  readonly created: string;
}

export type RuncFailure = 'not-found' | 'not-running' | 'other';

/**
 * What a runc error means, from its message: runc has no error codes, and CRI-O matches the same
 * strings (internal/oci/runtime_oci.go runtimeCmd). "process already finished" is Go's os.ErrProcessDone.
 */
export function classifyRuncError(stderr: string): RuncFailure {
  if (/container .*does not exist|container does not exist/.test(stderr)) return 'not-found';
  if (/container not running|process already finished|invalid process|no such process/.test(stderr)) return 'not-running';
  return 'other';
}

const STATUSES: ReadonlySet<string> = new Set(['creating', 'created', 'running', 'paused', 'stopped']);

export function parseRuncState(json: string): RuncState {
  const v = JSON.parse(json) as Record<string, unknown>;
  const status = typeof v.status === 'string' ? v.status : '';
  if (typeof v.id !== 'string' || typeof v.pid !== 'number' || !STATUSES.has(status)) {
    throw new PeapodError('Internal', `runc state printed an unexpected document: ${json.slice(0, 200)}`);
  }
  const str = (x: unknown): string => (typeof x === 'string' ? x : '');
  return { id: v.id, pid: v.pid, status: status as RuncStatus, bundle: str(v.bundle), created: str(v.created) };
}

export class Runc {
  constructor(
    readonly runtimePath: string,
    readonly root: string,
  ) {}

  /** The global flags every call carries. */
  globalArgs(): string[] {
    return ['--root', this.root];
  }

  async raw(args: readonly string[], signal?: AbortSignal): Promise<RunResult> {
    return runUnchecked(this.runtimePath, [...this.globalArgs(), ...args], {
      timeoutMs: RUNC_TIMEOUT_MS,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  private fail(args: readonly string[], result: RunResult): never {
    throw new CommandError(this.runtimePath, [...this.globalArgs(), ...args], result);
  }

  /** undefined when runc does not know the container. */
  async state(id: string): Promise<RuncState | undefined> {
    const r = await this.raw(['state', id]);
    if (r.code === 0) return parseRuncState(r.stdout);
    if (classifyRuncError(r.stderr) === 'not-found') return undefined;
    return this.fail(['state', id], r);
  }

  async start(id: string, signal?: AbortSignal): Promise<void> {
    const r = await this.raw(['start', id], signal);
    if (r.code !== 0) {
      if (classifyRuncError(r.stderr) === 'not-found') throw new PeapodError('NotFound', `container ${id} does not exist in runc root ${this.root}`);
      this.fail(['start', id], r);
    }
  }

  /** Sends a signal; 'gone' when there was nothing left to signal. */
  async kill(id: string, sig: string, all = false): Promise<'sent' | 'gone'> {
    const args = ['kill', ...(all ? ['--all'] : []), id, sig];
    const r = await this.raw(args);
    if (r.code === 0) return 'sent';
    if (classifyRuncError(r.stderr) !== 'other') return 'gone';
    return this.fail(args, r);
  }

  /** Plain `runc delete` (never -f, which sleeps 100 ms first); false when it did not exist. */
  async delete(id: string): Promise<boolean> {
    const r = await this.raw(['delete', id]);
    if (r.code === 0) return true;
    if (classifyRuncError(r.stderr) === 'not-found') return false;
    return this.fail(['delete', id], r);
  }

  async list(): Promise<RuncState[]> {
    const r = await this.raw(['list', '--format', 'json']);
    if (r.code !== 0) this.fail(['list', '--format', 'json'], r);
    // An empty root prints "null".
    const parsed = JSON.parse(r.stdout || 'null') as unknown;
    if (parsed === null) return [];
    if (!Array.isArray(parsed)) throw new PeapodError('Internal', `runc list printed an unexpected document: ${r.stdout.slice(0, 200)}`);
    return parsed.map((entry) => parseRuncState(JSON.stringify(entry)));
  }
}
