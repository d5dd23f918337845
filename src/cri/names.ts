// Name reservation, after CRI-O's registrar: a sandbox name (name_namespace_uid_attempt, as the kubelet
// builds it) or a container name within its sandbox (name_attempt) belongs to one ID at a time.
// Names held by records come from the runtime store itself (so pods created by the CLI, and records
// that survived a restart, hold theirs too); names of creates still in flight are held here, and
// released when the create fails, so a retry after a failure never meets "name is reserved".
import { PeapodError } from '../common/errors.js';
import type { RuntimeService } from '../runtime/service.js';
import type { ContainerConfig, SandboxConfig } from '../runtime/types.js';

export function sandboxName(config: Pick<SandboxConfig, 'name' | 'namespace' | 'uid' | 'attempt'>): string {
  return `${config.name}_${config.namespace}_${config.uid}_${config.attempt}`;
}

export function containerName(sandboxId: string, config: Pick<ContainerConfig, 'name' | 'attempt'>): string {
  return `${sandboxId}/${config.name}_${config.attempt}`;
}

/** Holder of a name whose create has not finished yet. */
const PENDING = 'a create still in progress';

export class NameRegistry {
  private readonly pending = new Set<string>();

  constructor(private readonly runtime: RuntimeService) {}

  /** The ID holding a name, or the pending marker, or undefined when free. */
  holder(name: string): string | undefined {
    if (this.pending.has(name)) return PENDING;
    for (const s of this.runtime.sandboxes.list()) {
      if (sandboxName(s.config) === name) return s.id;
    }
    for (const c of this.runtime.containers.list()) {
      if (containerName(c.sandboxId, c.config) === name) return c.id;
    }
    return undefined;
  }

  /**
   * Runs create with the name reserved: rejected with AlreadyExists naming the holder when taken,
   * released when create throws (the records it made are undone by the runtime) and handed over to
   * the record when it succeeds.
   */
  async withReservation<T>(kind: 'sandbox' | 'container', name: string, create: () => Promise<T>): Promise<T> {
    const holder = this.holder(name);
    if (holder !== undefined) {
      throw new PeapodError('AlreadyExists', `${kind} name ${JSON.stringify(name)} is reserved for ${holder}`, {
        hint: holder === PENDING ? 'wait for that create to finish' : `remove ${holder} first to reuse the name`,
      });
    }
    this.pending.add(name);
    try {
      return await create();
    } finally {
      // On success the runtime record now holds the name; on failure nobody does.
      this.pending.delete(name);
    }
  }
}
