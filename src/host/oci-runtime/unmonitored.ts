// A container with no monitor: a pod's pause process. conmon is there to keep a container's output and
// exit code across a restart of the daemon; catatonit prints nothing worth keeping and its exit code says
// nothing (only that it died, which /proc says too), so the pause is started by one `runc run --detach`
// and no conmon (CRI-O goes further: with drop_infra_ctr it runs no infra process at all when the pod
// does not share its PID namespace). Without a monitor, init is reparented to PID 1 (or the nearest
// subreaper) when runc exits; its exit is seen in /proc: gone, or a zombie waiting to be reaped.
import { readFile } from '../../common/quick-fs.js';
import { setTimeout as delay } from 'node:timers/promises';
import { PeapodError } from '../../common/errors.js';
import { runToFile } from '../exec.js';
import { isAlive } from '../proc.js';
import type { ContainerMeta } from './meta.js';
import { RUNC_TIMEOUT_MS } from './runc.js';
import { UNKNOWN_EXIT_CODE, type ExitStatus } from './types.js';

/** The first look after a stop signal comes this soon (catatonit exits within a millisecond of it)... */
const FIRST_POLL_MS = 1;
/** ...then the looks back off, up to this for a stop's wait... */
const SHORT_WAIT_MAX_POLL_MS = 50;
/** ...and this for the standing watch on a pause: the kubelet's PLEG relists every second too. */
const STANDING_WATCH_POLL_MS = 1_000;
/** A wait longer than this is a standing watch, not a stop. */
const STANDING_WATCH_MIN_MS = 60_000;

/** `runc run --detach`: init's stdio (and runc's error, if any) go to `outputPath`. Returns init's PID. */
export async function runDetached(
  runtimePath: string,
  globalArgs: readonly string[],
  id: string,
  bundle: string,
  pidFile: string,
  outputPath: string,
): Promise<number> {
  const args = [...globalArgs, 'run', '--detach', '--pid-file', pidFile, '--bundle', bundle, id];
  const r = await runToFile(runtimePath, args, outputPath, { timeoutMs: RUNC_TIMEOUT_MS });
  if (r.code !== 0 || r.signal !== null) {
    const detail = r.stderr.trim().split('\n').slice(-5).join('\n');
    throw new PeapodError('Internal', `${runtimePath} run ${id} failed (${r.signal ?? `exit ${r.code}`})${detail ? `: ${detail}` : ''}`);
  }
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new PeapodError('Internal', `runc run ${id} wrote no PID to ${pidFile}`);
  return pid;
}

/**
 * Waits until a container's init with no monitor has exited (gone or a zombie; with its start time, a
 * reused PID counts as gone); nobody recorded its exit code, so it is CRI-O's 255.
 */
export async function waitInitExit(
  id: string,
  init: Pick<ContainerMeta, 'pid' | 'pidStartTime'>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ExitStatus> {
  const deadline = Date.now() + timeoutMs;
  const maxPoll = timeoutMs >= STANDING_WATCH_MIN_MS ? STANDING_WATCH_POLL_MS : SHORT_WAIT_MAX_POLL_MS;
  let poll = FIRST_POLL_MS;
  while (await isAlive(init.pid, init.pidStartTime)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new PeapodError('DeadlineExceeded', `container ${id} did not exit within ${timeoutMs} ms`);
    try {
      await delay(Math.min(poll, left), undefined, signal === undefined ? {} : { signal });
    } catch (err) {
      if (signal?.aborted === true) throw new PeapodError('Unavailable', `waiting for container ${id} was cancelled`);
      throw err;
    }
    poll = Math.min(poll * 2, maxPoll);
  }
  return { exitCode: UNKNOWN_EXIT_CODE, finishedAt: new Date().toISOString() };
}
