// Undo of RunPodSandbox, driven by the record's `done` steps in reverse. Every step tolerates
// what is already gone, so it serves a failed create, RemovePodSandbox and reconcile alike.
import { settleAll } from '../../common/concurrency.js';
import { removeTree } from '../../common/remove-tree.js';
import { errorCode } from '../../common/errors.js';
import type { SandboxRecord } from '../types.js';
import type { SandboxDeps } from './run.js';

/** Grace for the pause process: catatonit exits at once on SIGTERM. */
const PAUSE_STOP_GRACE_MS = 2_000;

export async function stopPause(deps: SandboxDeps, record: SandboxRecord): Promise<void> {
  // stop() answers at once for an exited pause and refuses one runc and conmon never knew (NotFound):
  // no `runc state` first, one exec fewer on every pod teardown.
  await deps.host.oci.stop(record.id, PAUSE_STOP_GRACE_MS).catch((err: unknown) => {
    if (errorCode(err) !== 'NotFound') throw err;
  });
}

/** Releases the pod's network (CNI DEL, netns) while keeping the record: StopPodSandbox's half. */
export async function releaseNetwork(deps: SandboxDeps, record: SandboxRecord): Promise<void> {
  const { host } = deps;
  const { config, id } = record;
  if (record.done.includes('network') && record.netnsPath !== undefined) {
    await host.network.tearDown(
      {
        sandboxId: id,
        netnsPath: record.netnsPath,
        podName: config.name,
        podNamespace: config.namespace,
        podUid: config.uid,
        portMappings: config.portMappings,
      },
      record.network,
    );
  }
  // Unconditional for a pod network: a crash between creating the netns pin and recording it must not
  // leave the pin behind (removeNetns tolerates a missing one).
  if (config.network === 'pod') await host.network.removeNetns(id);
}

/**
 * Undoes every step. The pause (stopped, then removed from runc), the network (CNI DEL, the netns pin) and
 * the IPC and UTS pins need nothing of each other, nor of the sandbox's containers: they go side by side, and with
 * `containersGone` (their removal, when the caller runs it), so only the pod cgroup, which holds the
 * containers' cgroups, waits for all of them. Each finishes before a failure is reported.
 */
export async function tearDownSandbox(deps: SandboxDeps, record: SandboxRecord, containersGone: Promise<unknown> = Promise.resolve()): Promise<void> {
  const removePause = async (): Promise<void> => {
    await stopPause(deps, record);
    await deps.host.oci.remove(record.id);
  };
  // The pins go whatever the record says, as the netns pin does: a crash between pinning and the record's
  // next write must not leave them (removing what is gone succeeds).
  await settleAll([removePause(), releaseNetwork(deps, record), deps.host.pins.remove(record.id), containersGone]);
  await deps.host.cgroups.remove(record.config.cgroupParent);
  await removeTree(record.dir);
}
