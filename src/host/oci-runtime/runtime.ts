// The OciRuntime over runc + one conmon per container. Disk holds everything: runc's state under
// runcRoot, conmon's pidfiles and our meta under <stateDir>/<id>, exit codes under exitDir, so a
// fresh instance (a restarted daemon) sees exactly what the old one saw.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { removeTree } from '../../common/remove-tree.js';
import { access, stat } from '../../common/quick-fs.js';
import { dirname, join } from 'node:path';
import { PeapodError, alreadyExists, errorCode, errorMessage, invalid, isErrnoException, notFound } from '../../common/errors.js';
import { isAlive, pidExists, processStartTime, signalIfSame } from '../proc.js';
import { conmonLayout, startConmon } from './conmon.js';
import type { ConmonLayout } from './conmon.js';
import { runcExecSync } from './exec-sync.js';
import { execArgs } from './exec-sync.js';
import { readExitFile, waitForExitFile } from './exit-file.js';
import { markStarted, readBundleSharesPid, readMeta, resolveExecutable, startedAtOf, writeMeta } from './meta.js';
import type { ContainerMeta } from './meta.js';
import { Runc } from './runc.js';
import type { RuncState } from './runc.js';
import {
  UNKNOWN_EXIT_CODE,
  type ContainerRuntimeState,
  type CreateOptions,
  type ExecResult,
  type ExitStatus,
  type OciRuntime,
  type OciRuntimeOptions,
  type RunOptions,
} from './types.js';
import { runDetached, waitInitExit } from './unmonitored.js';
import { checkId } from './container-id.js';

export type { OciRuntimeOptions } from './types.js';

/** How long a SIGKILLed container may take to be reported by conmon. */
export const KILL_WAIT_MS = 10_000;
/**
 * runc reports "stopped" as soon as init is dead; conmon writes the exit file right after draining the
 * container's output. A live conmon gets this long to do so before we report "stopped" without a code.
 */
export const STOPPED_EXIT_GRACE_MS = 2_000;

/** See monitorLost: with standing watches polling every 5 s, PID reuse is ruled out at least once a minute. */
const FULL_LIVENESS_CHECK_EVERY = 12;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (isErrnoException(err, 'ENOENT')) return false;
    throw err;
  }
}

export function createOciRuntime(options: OciRuntimeOptions): OciRuntime {
  return new RuncConmonRuntime(options);
}

class RuncConmonRuntime implements OciRuntime {
  private readonly runc: Runc;
  /**
   * Per persist dir: conmon's and init's PIDs (they never change after create, and the standing exit
   * watches ask for them often) and how many times monitorLost has looked.
   */
  private readonly lostChecks = new Map<string, { readonly meta: ContainerMeta; looks: number }>();
  private runtimeAbs: Promise<string> | undefined;

  constructor(private readonly opts: OciRuntimeOptions) {
    this.runc = new Runc(opts.runtimePath, opts.runcRoot);
  }

  private layout(id: string): ConmonLayout {
    checkId(id);
    return conmonLayout(this.opts.stateDir, this.opts.exitDir, id);
  }

  async run(id: string, options: RunOptions): Promise<{ pid: number }> {
    const layout = this.layout(id);
    // The binary is looked up first, as for create: a missing runc is a precondition, said as such.
    const [runtimePath, killAll] = await Promise.all([this.runtimeBinary(), readBundleSharesPid(options.bundle)]);
    await this.makePersistDir(id, layout);
    try {
      const pid = await runDetached(runtimePath, this.runc.globalArgs(), id, options.bundle, layout.pidFile, options.outputPath);
      const pidStartTime = await processStartTime(pid);
      const startedAt = new Date().toISOString();
      await writeMeta(layout.persistDir, {
        bundle: options.bundle,
        killAll,
        pid,
        conmonPid: 0,
        unmonitored: true,
        startedAt,
        ...(pidStartTime === undefined ? {} : { pidStartTime }),
      });
      return { pid };
    } catch (err) {
      await this.remove(id).catch(() => undefined);
      throw err;
    }
  }

  /** conmon's (and our meta's) dir for a new container; a stale exit file would make it look finished. */
  private async makePersistDir(id: string, layout: ConmonLayout): Promise<void> {
    // The shared dirs exist after the first container: looked for directly, made (on the pool) only when missing.
    await Promise.all([this.opts.exitDir, this.opts.stateDir].map((dir) => access(dir).catch(() => mkdir(dir, { recursive: true }))));
    try {
      await mkdir(layout.persistDir);
    } catch (err) {
      if (isErrnoException(err, 'EEXIST')) throw alreadyExists(`container ${id} already exists (${layout.persistDir}); remove it first`);
      throw err;
    }
    await removeTree(layout.exitFile);
  }

  async create(id: string, options: CreateOptions): Promise<{ pid: number; conmonPid: number }> {
    const layout = this.layout(id);
    const [runtimePath, killAll] = await Promise.all([this.runtimeBinary(), readBundleSharesPid(options.bundle)]);
    await Promise.all([this.makePersistDir(id, layout), mkdir(dirname(options.logPath), { recursive: true })]);
    try {
      const created = await startConmon({
        id,
        name: id,
        runtimePath,
        runcRoot: this.opts.runcRoot,
        bundle: options.bundle,
        exitDir: this.opts.exitDir,
        logPath: options.logPath,
        layout,
        stdin: options.stdin === true,
        stdinOnce: options.stdinOnce === true,
        terminal: options.terminal === true,
        conmonPath: this.opts.conmonPath,
        ...(this.opts.placeConmon === undefined ? {} : { placeConmon: this.opts.placeConmon }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      const [pidStartTime, conmonStartTime] = await Promise.all([processStartTime(created.pid), processStartTime(created.conmonPid)]);
      await writeMeta(layout.persistDir, {
        bundle: options.bundle,
        killAll,
        pid: created.pid,
        conmonPid: created.conmonPid,
        ...(pidStartTime === undefined ? {} : { pidStartTime }),
        ...(conmonStartTime === undefined ? {} : { conmonStartTime }),
      });
      return created;
    } catch (err) {
      await this.remove(id).catch(() => undefined);
      throw err;
    }
  }

  /**
   * The runtime's absolute path, looked up once it is found. A failed lookup is not kept: the binary
   * may be installed (or PATH fixed) while the daemon runs, and the next create must see it.
   */
  private async runtimeBinary(): Promise<string> {
    const lookup = (this.runtimeAbs ??= resolveExecutable(this.opts.runtimePath));
    try {
      return await lookup;
    } catch (err) {
      if (this.runtimeAbs === lookup) this.runtimeAbs = undefined;
      throw new PeapodError(
        'FailedPrecondition',
        `the OCI runtime binary is missing: ${errorMessage(err)}; install runc (scripts/setup.sh) or point PEAPOD_RUNTIME at it`,
        {
          cause: err,
        },
      );
    }
  }

  async start(id: string, signal?: AbortSignal): Promise<void> {
    const layout = this.layout(id);
    await this.runc.start(id, signal);
    await markStarted(layout.persistDir, new Date());
  }

  async state(id: string): Promise<ContainerRuntimeState | undefined> {
    const layout = this.layout(id);
    const exit = await this.readExit(layout);
    if (exit) return { status: 'stopped', exit };
    let rs: RuncState | undefined;
    // runc knows a container by its state file; without one, `runc state` would only say so, for an exec
    // (the undo of every create that never reached runc asks).
    if (await exists(join(this.opts.runcRoot, id, 'state.json'))) {
      try {
        rs = await this.runc.state(id);
      } catch {
        return { status: 'unknown' };
      }
    }
    if (rs === undefined) {
      if (!(await exists(layout.persistDir))) return undefined;
      const persisted = await this.readExit(layout);
      return persisted ? { status: 'stopped', exit: persisted } : { status: 'stopped' };
    }
    switch (rs.status) {
      case 'creating':
      case 'created':
        return { status: 'created', pid: rs.pid };
      case 'running': {
        const meta = await readMeta(layout.persistDir);
        const startedAt = meta === undefined ? undefined : await startedAtOf(layout.persistDir, meta);
        return startedAt === undefined ? { status: 'running', pid: rs.pid } : { status: 'running', pid: rs.pid, startedAt };
      }
      case 'paused':
        return { status: 'paused', pid: rs.pid };
      case 'stopped':
        return this.stoppedState(id, layout);
    }
  }

  /** runc says stopped: give a live conmon a moment to write the exit code. */
  private async stoppedState(id: string, layout: ConmonLayout): Promise<ContainerRuntimeState> {
    const meta = await readMeta(layout.persistDir);
    if (meta && (await isAlive(meta.conmonPid, meta.conmonStartTime))) {
      try {
        return { status: 'stopped', exit: await this.waitExit(id, STOPPED_EXIT_GRACE_MS) };
      } catch {
        return { status: 'stopped' };
      }
    }
    const exit = await this.readExit(layout);
    return exit ? { status: 'stopped', exit } : { status: 'stopped' };
  }

  /** The exit dir's file, else the copy in conmon's persist dir; with conmon's OOM marker. */
  private async readExit(layout: ConmonLayout): Promise<ExitStatus | undefined> {
    const exit = (await readExitFile(layout.exitFile)) ?? (await readExitFile(join(layout.persistDir, 'exit')));
    return exit === undefined ? undefined : this.withOom(layout, exit);
  }

  private async withOom(layout: ConmonLayout, exit: ExitStatus): Promise<ExitStatus> {
    return (await exists(join(layout.persistDir, 'oom'))) ? { ...exit, oomKilled: true } : exit;
  }

  async kill(id: string, signal: NodeJS.Signals, all = false): Promise<void> {
    this.layout(id);
    await this.runc.kill(id, signal, all);
  }

  async waitExit(id: string, timeoutMs: number, signal?: AbortSignal): Promise<ExitStatus> {
    const layout = this.layout(id);
    if (!(await exists(layout.persistDir)) && (await readExitFile(layout.exitFile)) === undefined) {
      throw notFound(`container ${id} has no conmon state in ${this.opts.stateDir}`);
    }
    const meta = await readMeta(layout.persistDir);
    if (meta?.unmonitored === true) return waitInitExit(id, meta, timeoutMs, signal);
    const exit = await waitForExitFile({
      exitDir: this.opts.exitDir,
      id,
      timeoutMs,
      ...(signal === undefined ? {} : { signal }),
      fallback: () => this.monitorLost(layout),
    });
    return this.withOom(layout, exit);
  }

  /**
   * The exit status when conmon died without writing its exit file (killed, OOM): the one in its persist
   * dir, or CRI-O's 255 once the container's init is gone too. undefined while anything still runs.
   */
  private async monitorLost(layout: ConmonLayout): Promise<ExitStatus | undefined> {
    let check = this.lostChecks.get(layout.persistDir);
    if (!check) {
      const meta = await readMeta(layout.persistDir);
      if (meta === undefined) return undefined;
      check = { meta, looks: 0 };
      this.lostChecks.set(layout.persistDir, check);
    }
    const { meta } = check;
    // The standing watches ask this every few seconds for every container: a kill(0) answers most of
    // them; every FULL_LIVENESS_CHECK_EVERY-th look (and any doubt) reads /proc to rule out PID reuse.
    check.looks += 1;
    if (check.looks % FULL_LIVENESS_CHECK_EVERY !== 1 && pidExists(meta.conmonPid)) return undefined;
    if (await isAlive(meta.conmonPid, meta.conmonStartTime)) return undefined;
    const persisted = await this.readExit(layout);
    if (persisted) return persisted;
    if (await isAlive(meta.pid, meta.pidStartTime)) return undefined;
    return { exitCode: UNKNOWN_EXIT_CODE, finishedAt: new Date().toISOString() };
  }

  async stop(id: string, gracePeriodMs: number, stopSignal: NodeJS.Signals = 'SIGTERM'): Promise<ExitStatus> {
    const layout = this.layout(id);
    const done = await this.readExit(layout);
    if (done) return done;
    // runc writes <root>/<id>/state.json once a create succeeded (a create killed half-way leaves the dir
    // with only exec.fifo): without it runc knows nothing to signal.
    if (!(await exists(join(this.opts.runcRoot, id, 'state.json')))) return this.stopUnknownToRunc(id, layout);
    // The common stop signals first and asks runc nothing: `runc state` is one exec (≈8 ms) on every
    // teardown, and only a container still there after its grace period needs a closer look.
    // No conmon record: the daemon died between conmon's start and writing it, before any start, and that
    // conmon may be gone too, so no exit file may ever come: no grace to wait, and runc's word decides.
    const meta = await readMeta(layout.persistDir);
    if (meta !== undefined && gracePeriodMs > 0 && (await this.signalInit(id, meta, stopSignal)) === 'sent') {
      try {
        return await this.waitExit(id, gracePeriodMs);
      } catch (err) {
        if (errorCode(err) !== 'DeadlineExceeded') throw err;
      }
    }
    const rs = await this.runc.state(id);
    if (rs === undefined) return this.stopUnknownToRunc(id, layout);
    if (rs.status !== 'stopped') {
      // A frozen process cannot act on a signal, not even SIGKILL under the v1 freezer (a SIGTERM sent
      // above stays pending and is delivered on resume, as with `runc kill` of a paused container).
      if (rs.status === 'paused') await this.resume(id);
      await this.runc.kill(id, 'KILL', meta?.killAll ?? false);
    }
    if (meta === undefined) return waitInitExit(id, { pid: rs.status === 'stopped' ? 0 : rs.pid }, KILL_WAIT_MS);
    return this.waitExit(id, KILL_WAIT_MS);
  }

  /**
   * The stop signal goes to the container's init, as `runc kill` (without --all) sends it, but by the
   * daemon itself when the record has init's start time: the same PID-reuse check runc makes, one exec
   * (≈5–8 ms, and a fork of the daemon) fewer per container on every teardown.
   */
  private async signalInit(id: string, meta: ContainerMeta, signal: NodeJS.Signals): Promise<'sent' | 'gone'> {
    if (meta.pidStartTime === undefined) return this.runc.kill(id, signal);
    return signalIfSame(meta.pid, meta.pidStartTime, signal);
  }

  /**
   * A container runc does not know: a create that never completed, or one runc already deleted. Without
   * conmon's record nothing of it ever ran (CRI-O's 255); with one, conmon's exit or its death decides.
   */
  private async stopUnknownToRunc(id: string, layout: ConmonLayout): Promise<ExitStatus> {
    if (!(await exists(layout.persistDir))) throw notFound(`container ${id} does not exist`);
    if ((await readMeta(layout.persistDir)) === undefined) return { exitCode: UNKNOWN_EXIT_CODE, finishedAt: new Date().toISOString() };
    return (await this.monitorLost(layout)) ?? this.waitExit(id, KILL_WAIT_MS);
  }

  private async resume(id: string): Promise<void> {
    const r = await this.runc.raw(['resume', id]);
    if (r.code !== 0) throw new PeapodError('Internal', `runc resume ${id} failed: ${r.stderr.trim()}`);
  }

  async remove(id: string): Promise<void> {
    const layout = this.layout(id);
    // runc keeps a container's state in <root>/<id>: without that directory runc knows nothing to delete,
    // and not asking it lets the undo of a create that never reached runc (its binary missing) finish.
    if (await exists(join(this.opts.runcRoot, id))) await this.removeFromRunc(id, layout);
    this.lostChecks.delete(layout.persistDir);
    // A runc killed during create leaves its state dir (exec.fifo, no state.json) that runc itself no
    // longer recognises: once runc has had its say, the dir is ours to remove.
    await Promise.all([removeTree(layout.persistDir), removeTree(layout.exitFile), removeTree(join(this.opts.runcRoot, id))]);
  }

  private async removeFromRunc(id: string, layout: ConmonLayout): Promise<void> {
    // The exit file (or, with no monitor, /proc) proves init is dead: skip asking runc for its state (one
    // exec fewer on every teardown).
    if ((await readExitFile(layout.exitFile)) !== undefined || (await this.unmonitoredInitGone(layout))) {
      await this.deleteFromRunc(id);
      return;
    }
    let rs: RuncState | undefined | 'unknown';
    try {
      rs = await this.runc.state(id);
    } catch {
      rs = 'unknown';
    }
    if (rs !== undefined && rs !== 'unknown' && rs.status !== 'stopped') await this.killForRemove(id, layout, rs);
    if (rs !== undefined) await this.deleteFromRunc(id);
  }

  private async unmonitoredInitGone(layout: ConmonLayout): Promise<boolean> {
    const meta = await readMeta(layout.persistDir);
    return meta?.unmonitored === true && meta.pidStartTime !== undefined && !(await isAlive(meta.pid, meta.pidStartTime));
  }

  private async killForRemove(id: string, layout: ConmonLayout, rs: RuncState): Promise<void> {
    const meta: ContainerMeta | undefined = await readMeta(layout.persistDir);
    if (rs.status === 'paused') await this.resume(id);
    await this.runc.kill(id, 'KILL', meta?.killAll ?? true);
    if (meta !== undefined) {
      // runc delete refuses a container that still runs; wait for conmon to see it die.
      await this.waitExit(id, KILL_WAIT_MS).catch(() => undefined);
    }
  }

  /** Plain delete (fast); `delete --force` only when runc refuses, as it sleeps 100 ms before its first check. */
  private async deleteFromRunc(id: string): Promise<void> {
    try {
      await this.runc.delete(id);
    } catch {
      const r = await this.runc.raw(['delete', '--force', id]);
      if (r.code !== 0 && !/does not exist/.test(r.stderr)) throw new PeapodError('Internal', `runc delete --force ${id} failed: ${r.stderr.trim()}`);
    }
  }

  async execSync(id: string, args: readonly string[], options: { timeoutMs: number; env?: readonly string[]; cwd?: string }): Promise<ExecResult> {
    const layout = this.layout(id);
    if (args.length === 0) throw invalid('exec needs a command');
    const pidFile = (await exists(layout.persistDir)) ? join(layout.persistDir, `exec-${randomBytes(6).toString('hex')}.pid`) : '';
    return runcExecSync({
      runtimePath: this.opts.runtimePath,
      globalArgs: this.runc.globalArgs(),
      id,
      args,
      timeoutMs: options.timeoutMs,
      pidFile,
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
  }

  /** The client runs this with inherited stdio (its own TTY); without `interactive` it gives stdin /dev/null. */
  execCommand(id: string, args: readonly string[], options: { tty: boolean; interactive: boolean; env?: readonly string[]; cwd?: string }): readonly string[] {
    checkId(id);
    if (args.length === 0) throw invalid('exec needs a command');
    return [
      this.opts.runtimePath,
      ...execArgs({
        globalArgs: this.runc.globalArgs(),
        id,
        args,
        pidFile: '',
        tty: options.tty,
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      }),
    ];
  }

  async list(): Promise<string[]> {
    return (await this.runc.list()).map((s) => s.id);
  }
}
