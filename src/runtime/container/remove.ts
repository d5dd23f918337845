// Undo of CreateContainer, driven by the record's `done` steps; tolerant of what is already gone.
import { settleAll } from '../../common/concurrency.js';
import { removeTree } from '../../common/remove-tree.js';
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
  }
  // The rootfs mount lives in the host's namespace, apart from runc's state and the cgroup: side by side.
  const dropFromRunc = async (): Promise<void> => {
    if (record.done.includes('created')) await host.oci.remove(record.id);
    await host.cgroups.remove(record.cgroupsPath);
  };
  await settleAll([dropFromRunc(), record.done.includes('rootfs') ? host.mounts.unmount(containerRootfs(record.dir)) : Promise.resolve()]);
  await removeTree(record.dir);
}
