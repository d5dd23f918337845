// A container's rootfs made ahead of its CreateContainer, while its sandbox is being made: the kubelet
// front knows which containers a fresh pod starts first, and their overlay mounts (and the record that
// notes them) need nothing of the sandbox but its ID and pod cgroup. The record is the container's own,
// state 'creating' with the 'rootfs' step, so a daemon killed at any point undoes it as it undoes a
// half-made container (runtime.recover), and a sandbox that fails takes its prepared containers with it.
// Its config is a placeholder (nothing asked yet, the image's reference): CreateContainer replaces it
// with the request's in the same write that records the bundle.
import { join } from 'node:path';
import { CleanupStack } from '../../common/cleanup.js';
import type { ContainerConfig, ContainerPreparation, SandboxConfig } from '../types.js';
import { removeContainerArtifacts } from './remove.js';
import { mountRootfs, newRecord, type ContainerDeps, type PreparedRootfs } from './create.js';

export async function prepareContainer(
  deps: ContainerDeps,
  id: string,
  sandboxId: string,
  sandbox: Pick<SandboxConfig, 'cgroupParent'>,
  preparation: ContainerPreparation,
): Promise<PreparedRootfs> {
  const { host, dirs, records } = deps;
  const record = newRecord(id, sandboxId, sandbox.cgroupParent, placeholderConfig(preparation), preparation.image, host.now(), join(dirs.containers, id));
  await records.put(record);
  return CleanupStack.run(async (cleanup) => {
    cleanup.push(`remove prepared container ${id}`, async () => {
      await removeContainerArtifacts(deps, records.get(id) ?? record);
      await records.delete(id);
    });
    const mountedAt = await mountRootfs(host, record, preparation.image);
    return { record, mountedAt };
  });
}

/** What a prepared container's record says until its create: its name, attempt and image, nothing asked. */
function placeholderConfig(p: ContainerPreparation): ContainerConfig {
  return {
    name: p.name,
    attempt: p.attempt,
    image: p.image.id,
    mounts: [],
    resources: {},
    oomScoreAdj: 0,
    tty: false,
    stdin: false,
    logPath: '',
    labels: {},
    annotations: {},
    args: [],
    env: [],
    workingDir: '/',
    security: {
      user: { image: '', supplementalGroups: [] },
      privileged: false,
      capabilitiesAdd: [],
      capabilitiesDrop: [],
      readOnlyRootfs: false,
      noNewPrivileges: false,
      seccomp: { kind: 'runtime-default' },
      procMount: 'Default',
      sysctls: {},
    },
  };
}

/** The prepared containers no create has claimed yet (in memory: after a restart, recovery has undone them all). */
export class PreparedContainers {
  private readonly byId = new Map<string, PreparedRootfs>();

  add(prepared: PreparedRootfs): void {
    this.byId.set(prepared.record.id, prepared);
  }

  /** The unclaimed prepared container of this sandbox, name and attempt. */
  find(sandboxId: string, name: string, attempt: number): PreparedRootfs | undefined {
    for (const p of this.byId.values()) {
      const { record } = p;
      if (record.sandboxId === sandboxId && record.config.name === name && record.config.attempt === attempt) return p;
    }
    return undefined;
  }

  /** Claims it: from now on it is the claimer's to finish or undo. */
  take(id: string): PreparedRootfs | undefined {
    const prepared = this.byId.get(id);
    this.byId.delete(id);
    return prepared;
  }

  /** Claims every prepared container of the sandbox. */
  takeAll(sandboxId: string): string[] {
    const ids = [...this.byId.values()].filter((p) => p.record.sandboxId === sandboxId).map((p) => p.record.id);
    for (const id of ids) this.byId.delete(id);
    return ids;
  }
}
