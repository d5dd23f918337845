// A container's rootfs made ahead of its CreateContainer, while its sandbox is being made: the kubelet
// front knows which containers a fresh pod starts first, and their overlay mounts (and the record that
// notes them) need nothing of the sandbox but its ID and pod cgroup. The record is the container's own,
// state 'creating' with every step of the create listed (create.ts newRecord), so a daemon killed at any
// point undoes it as it undoes a half-made container (runtime.recover), and a sandbox that fails takes
// its prepared containers with it. Its config is a placeholder (nothing asked yet, the image's
// reference): CreateContainer replaces it with the request's in its one write, with runc's pid. Given
// the whole request, the container is then created too (prepareBeside), beside the pause, and the create
// with an equal request takes it.
import { join } from 'node:path';
import { CleanupStack } from '../../common/cleanup.js';
import type { RuntimeHost } from '../host.js';
import { isDeepStrictEqual } from 'node:util';
import type { ContainerConfig, ContainerPreparation, ContainerRecord, ContainerRequest, SandboxConfig, SandboxRecord } from '../types.js';
import { removeContainerArtifacts } from './remove.js';
import { containerRootfs } from '../paths.js';
import { errorMessage, asError } from '../../common/errors.js';
import { canCreateBeside, createContainer, mountRootfs, newRecord, readUserDb, type ContainerDeps, type PreparedRootfs } from './create.js';

/**
 * Makes a sandbox (`make`, given the host its steps must use) with the preparations beside it. They start
 * when the sandbox asks the OCI runtime to make its pause (`run`, or `create`): runc's part is the
 * sandbox's longest wait (tens of ms). Started with the sandbox, they slowed its first steps (the pod cgroup, the netns) by
 * competing for the event loop and libuv's thread pool, and those are the pod start's critical path. A
 * sandbox that settles without that call (it failed first) prepares nothing. `make` also gets
 * `prepared`: settles once every started preparation has, so an undo of the sandbox can first take the
 * containers made beside it (their processes sit in its cgroup). Settles once the sandbox and every
 * preparation have; preparations never fail (see Runtime).
 */
export async function besideSandbox<T>(
  host: RuntimeHost,
  make: (host: RuntimeHost, prepared: () => Promise<void>) => Promise<T>,
  preparations: readonly (() => Promise<void>)[],
): Promise<PromiseSettledResult<T>> {
  if (preparations.length === 0) return (await Promise.allSettled([make(host, () => Promise.resolve())]))[0];
  let settled = false;
  let preparing: Promise<void> | undefined;
  // Started within the OCI call itself, so an undo that asks for `prepared` afterwards always waits for them.
  const startPreparations = (): void => {
    if (preparing === undefined && !settled) preparing = Promise.all(preparations.map((p) => p())).then(() => undefined);
  };
  const oci = new Proxy(host.oci, {
    get(target, prop, receiver): unknown {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const result = Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
        if (prop === 'run' || prop === 'create') startPreparations();
        return result;
      };
    },
  });
  const gated = new Proxy(host, { get: (target, prop, receiver): unknown => (prop === 'oci' ? oci : Reflect.get(target, prop, receiver)) });
  const [made] = await Promise.allSettled([
    make(gated, () => preparing ?? Promise.resolve()).finally(() => {
      settled = true;
    }),
  ]);
  await preparing;
  return made;
}

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
    return { record, mountedAt, userDb: await readUserDb(host, containerRootfs(record.dir)) };
  });
}

/** What making a container beside its sandbox needs of the runtime. */
export interface BesideContext {
  readonly deps: ContainerDeps;
  readonly prepared: PreparedContainers;
  /** Runs `fn` under the container's lock (the runtime's KeyedMutex). */
  locked<T>(id: string, fn: () => Promise<T>): Promise<T>;
  remove(id: string): Promise<void>;
  log(message: string): void;
}

/**
 * Never fails: a container that could not be prepared (undone already) gets its rootfs at create. One
 * with its request is then created beside the pause when the sandbox allows it (create.ts
 * canCreateBeside); a create that fails there is undone, and its error is the answer of the create that
 * claims it (the kubelet reports and retries it as any failed create).
 */
export async function prepareBeside(ctx: BesideContext, id: string, sandbox: SandboxRecord, preparation: ContainerPreparation): Promise<void> {
  let rootfs: PreparedRootfs;
  try {
    rootfs = await ctx.locked(id, () => prepareContainer(ctx.deps, id, sandbox.id, sandbox.config, preparation));
  } catch (err) {
    ctx.log(`sandbox ${sandbox.id}: preparing container ${preparation.name}: ${errorMessage(err)}`);
    return;
  }
  const { request } = preparation;
  if (request === undefined || !canCreateBeside(sandbox)) return void ctx.prepared.add(rootfs);
  const created = { sandboxId: sandbox.id, request, imageId: preparation.image.id };
  try {
    const record = await ctx.locked(id, () => createContainer(ctx.deps, id, sandbox, request, { image: preparation.image, prepared: rootfs, beside: true }));
    ctx.prepared.addCreated(id, { ...created, outcome: { record } });
  } catch (err) {
    await ctx.remove(id).catch(() => undefined);
    ctx.prepared.addCreated(id, { ...created, outcome: { error: asError(err) } });
  }
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

/**
 * A container created beside its sandbox's pause for its request: runc create done, nothing started, or
 * the create's failure (kept for the create that asks for it: a failure is reported by the create it stands for).
 */
export interface CreatedBeside {
  readonly sandboxId: string;
  readonly request: ContainerRequest;
  readonly imageId: string;
  readonly outcome: { readonly record: ContainerRecord } | { readonly error: Error };
}

/**
 * The prepared containers no create has claimed yet (in memory: after a restart, recovery has undone the
 * rootfs-only ones; one created beside the pause is a created container the kubelet adopts by name and attempt).
 */
export class PreparedContainers {
  private readonly byId = new Map<string, PreparedRootfs>();
  /** By container ID (a failed create's ID names nothing on the host any more). */
  private readonly created = new Map<string, CreatedBeside>();

  addCreated(id: string, created: CreatedBeside): void {
    this.created.set(id, created);
  }

  /**
   * Claims what was created beside the sandbox for exactly this request and image: the container, or the
   * create's failure. One for the same name and attempt but another request (a ConfigMap changed in
   * between) is `stale` (the caller removes it), and a failure for another request is forgotten.
   */
  claimCreated(sandboxId: string, request: ContainerRequest, imageId: string | undefined): { record?: ContainerRecord; error?: Error; stale?: string } {
    for (const [id, c] of this.created) {
      if (c.sandboxId !== sandboxId || c.request.name !== request.name || c.request.attempt !== request.attempt) continue;
      this.created.delete(id);
      const same = imageId === c.imageId && isDeepStrictEqual(c.request, request);
      if ('error' in c.outcome) return same ? { error: c.outcome.error } : {};
      return same ? { record: c.outcome.record } : { stale: id };
    }
    return {};
  }

  isCreated(id: string): boolean {
    const c = this.created.get(id);
    return c !== undefined && 'record' in c.outcome;
  }

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
    this.created.delete(id);
    return prepared;
  }

  /** Claims it for a create from `imageId`; one prepared from another image is of no use: `stale`, for the caller to remove. */
  claim(id: string | undefined, imageId: string | undefined): { prepared?: PreparedRootfs; stale?: string } {
    const prepared = id === undefined ? undefined : this.take(id);
    if (prepared === undefined) return {};
    return prepared.record.imageId === imageId ? { prepared } : { stale: prepared.record.id };
  }

  /** Claims every prepared container of the sandbox. */
  takeAll(sandboxId: string): string[] {
    const ids = [
      ...[...this.byId.values()].filter((p) => p.record.sandboxId === sandboxId).map((p) => p.record.id),
      ...[...this.created].filter(([, c]) => c.sandboxId === sandboxId).map(([id]) => id),
    ];
    for (const id of ids) this.take(id);
    return ids;
  }
}
