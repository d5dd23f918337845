// Undo of CreateContainer, driven by the record's `done` steps; tolerant of what is already gone.
import { rm } from 'node:fs/promises';
import { containerRootfs } from '../paths.js';
import type { ContainerRecord } from '../types.js';
import type { ContainerDeps } from './create.js';

/** Grace when removing a container that still runs (RemoveContainer of a running container). */
const REMOVE_KILL_GRACE_MS = 0;

export async function removeContainerArtifacts(deps: ContainerDeps, record: ContainerRecord): Promise<void> {
  const { host } = deps;
  if (record.done.includes('created')) {
    const state = await host.oci.state(record.id);
    if (state && (state.status === 'running' || state.status === 'created' || state.status === 'paused')) {
      await host.oci.stop(record.id, REMOVE_KILL_GRACE_MS);
    }
    await host.oci.remove(record.id);
  }
  await host.cgroups.remove(record.cgroupsPath);
  if (record.done.includes('rootfs')) await host.mounts.unmount(containerRootfs(record.dir));
  await rm(record.dir, { recursive: true, force: true });
}
