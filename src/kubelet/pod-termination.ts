// How a deleted pod goes away (the kubelet's killPod, then its cleanup): containers stopped in the
// kubelet's order within one grace period, each given its preStop hook first, then the sandbox stopped
// and removed, volumes torn down, logs and the pod record deleted.
import { removeTree } from '../common/remove-tree.js';
import type { Container } from '../kube/types.js';
import { podLogDirectory } from './convert.js';
import { runHook } from './hooks.js';
import { terminationStages } from './pod-actions.js';
import { containerObject, type PodContext } from './pod-context.js';
import type { PodProbes } from './pod-probes.js';
import type { PodRecord } from './pod-record.js';
import { podVolumesDir, tearDownVolumes } from './volumes/setup.js';

/** Stops and removes everything of a pod whose deletion was requested; the record goes last. */
export async function terminatePod(ctx: PodContext, probes: PodProbes, record: PodRecord): Promise<void> {
  const { runtime, deps, uid } = ctx;
  probes.stop();
  const graceMs = record.deletion ? record.deletion.graceSeconds * 1000 : 0;
  if (record.sandboxId !== undefined) {
    await stopInOrder(ctx, probes, record, graceMs);
    // No separate StopPodSandbox: removal stops what still runs (a debug container) with the grace period
    // and releases the pause and the network side by side with the containers' removal.
    await runtime.removePodSandbox(record.sandboxId, graceMs);
  }
  for (const sandbox of runtime.sandboxes.list().filter((s) => s.config.uid === uid)) await runtime.removePodSandbox(sandbox.id);
  await tearDownVolumes(podVolumesDir(deps.podsRoot, uid), record.pod, deps.volumeOps);
  // The pod's logs go with the pod (the kubelet removes its pod log directory when it removes the pod).
  await removeTree(podLogDirectory(deps.ctx.logRoot, record.pod));
  await deps.pods.delete(uid);
}

/** The stages of terminationStages(), one after the other, all within one grace period. */
async function stopInOrder(ctx: PodContext, probes: PodProbes, record: PodRecord, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  const remaining = (): number => Math.max(0, deadline - Date.now());
  const stop = async (c: Container): Promise<void> => {
    const id = record.containers[c.name]?.containerId;
    if (id !== undefined) await stopContainer(ctx, probes, c, id, remaining);
  };
  for (const stage of terminationStages(record.pod)) await Promise.all(stage.map(stop));
}

/** Stops one container as the kubelet's killContainer does: its preStop hook first, both within the time left. */
export async function stopContainer(ctx: PodContext, probes: PodProbes, c: Container, id: string, remaining: () => number): Promise<void> {
  const preStop = c.lifecycle?.preStop;
  if (preStop && ctx.runtime.containers.get(id)?.state === 'running') {
    // preStop runs inside the grace period; whatever it leaves is what the stop signal gets.
    const outcome = await runHook(preStop, probes.target(c, id), probes.exec, remaining());
    if (outcome.result === 'failure') {
      await ctx.event('Warning', 'FailedPreStopHook', `PreStopHook failed: ${outcome.message ?? ''}`, containerObject(c));
    }
  }
  await ctx.runtime.stopContainer(id, remaining());
}
