// CreateContainer as named steps: the request merged with its image (translate.ts) → overlay rootfs over the image's layers → OCI bundle from the pure
// spec generator → conmon + `runc create`. Each step recorded before the next; undone in reverse on failure.
import { closeSync, open } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { CleanupStack } from '../../common/cleanup.js';
import { PeapodError } from '../../common/errors.js';
import { buildContainerSpec } from '../../oci/spec.js';
import { cleanDestination } from '../../oci/mounts.js';
import { parseGroup, parsePasswd, resolveUser, type UserDb } from '../../oci/user.js';
import type { Mount, NamespaceMode } from '../../oci/types.js';
import type { RecordStore } from '../../store/record-store.js';
import { writeJsonAtomic } from '../../store/atomic.js';
import type { ImageRecord } from '../../image/types.js';
import type { RuntimeDirs, RuntimeHost } from '../host.js';
import { childCgroupPath, containerLogPath, containerRootfs } from '../paths.js';
import { resolveContainerConfig } from '../translate.js';
import type { ContainerConfig, ContainerRecord, ContainerRequest, SandboxRecord, VolumeMount } from '../types.js';
import { removeContainerArtifacts } from './remove.js';
import { SANDBOX_FILES } from '../sandbox/files.js';

const openFd = promisify(open);

export interface ContainerDeps {
  readonly host: RuntimeHost;
  readonly dirs: RuntimeDirs;
  readonly records: RecordStore<ContainerRecord>;
}

export async function createContainer(
  deps: ContainerDeps,
  id: string,
  sandbox: SandboxRecord,
  request: ContainerRequest,
  options: {
    readonly targetPid?: number | undefined;
    readonly image?: ImageRecord | undefined;
    readonly prepared?: PreparedRootfs | undefined;
    /** Created while the sandbox is made, beside its pause (see canCreateBeside). */
    readonly beside?: boolean;
  } = {},
): Promise<ContainerRecord> {
  const { host, dirs, records } = deps;
  const { targetPid, prepared } = options;
  const usable = options.beside === true ? canCreateBeside(sandbox) : sandbox.state === 'ready' && sandbox.pausePid !== undefined;
  if (!usable) throw new PeapodError('FailedPrecondition', `sandbox ${sandbox.id} is not ready (state ${sandbox.state})`);
  // The front resolved the reference already (pull policy, CRI's lookup): the record comes with the request.
  const image = options.image ?? (await host.images.find(request.image));
  if (!image) throw new PeapodError('NotFound', `image ${JSON.stringify(request.image)} is not present on this host`, { hint: `peapod pull ${request.image}` });
  // Before anything exists on the host: a request the image cannot satisfy (no argv, no profile) leaves nothing behind.
  const config = await resolveContainerConfig(request, image, sandbox);
  let record: ContainerRecord = prepared
    ? // Made while the sandbox was: its rootfs is mounted; the request's config replaces the placeholder with the next write.
      { ...prepared.record, config, imageRef: config.image }
    : newRecord(id, sandbox.id, sandbox.config.cgroupParent, config, image, host.now(), join(dirs.containers, id));
  if (!prepared) await records.put(record);
  return CleanupStack.run(async (cleanup) => {
    cleanup.push(`remove container ${id}`, async () => {
      await removeContainerArtifacts(deps, records.get(id) ?? record);
      await records.delete(id);
    });
    // The mount's time is written with the next write (the 'rootfs' step itself was listed first).
    record = { ...record, stepsDoneAt: { ...record.stepsDoneAt, rootfs: prepared?.mountedAt ?? (await mountRootfs(host, record, image)) } };
    await checkPropagation(host, config);
    const rootfs = containerRootfs(record.dir);
    const user = resolveUser(config.security.user, prepared?.userDb ?? (await readUserDb(host, rootfs)), `container ${config.name}`);
    record = { ...record, user };

    const [spec] = await Promise.all([
      bundleSpec(host, { id, sandbox, config, rootfs, cgroupsPath: record.cgroupsPath, user, targetPid }),
      makeHostFiles(config.mounts),
    ]);
    // Not fsynced: a bundle serves one `runc create`, and runc's state (in the run root) dies with the machine.
    await writeJsonAtomic(join(record.dir, 'config.json'), spec, 0o644, { sync: 'none' });
    const logPath = containerLogPath(sandbox, { config });
    await mkdir(join(logPath, '..'), { recursive: true, mode: 0o755 });
    // Both steps were listed by the record's first write (the bundle is in the container's dir, which the
    // undo removes whatever the record says); their times go with the next write.
    const asked = new Date().toISOString();
    record = { ...record, stepsDoneAt: { ...record.stepsDoneAt, bundle: asked, created: asked } };
    const created = await host.oci.create(id, { bundle: record.dir, logPath, stdin: config.stdin, stdinOnce: config.stdinOnce === true, terminal: config.tty });
    const pidStartTime = await host.proc.startTime(created.pid);
    const extra: Partial<ContainerRecord> = pidStartTime === undefined ? { pid: created.pid } : { pid: created.pid, pidStartTime };
    // Status (runc's pid): data fsynced, not the rename (docs/reliability.md, "fsync policy").
    return records.put({ ...record, ...extra, state: 'created' }, { sync: 'data' });
  });
}

/**
 * Whether a sandbox being made can take a container before its pause runs: every namespace the container
 * joins is pinned (net, IPC, UTS) or the node's, the pod shares no PID namespace (that one is the pause's),
 * and it asks for no sysctls (runc writes them at the container's create, which would then race CNI ADD:
 * a `net.ipv4.conf.eth0.*` before eth0 exists, or a value a plugin writes too). The container is only
 * created: it starts once the sandbox is ready, as the kubelet orders it.
 */
export function canCreateBeside(sandbox: SandboxRecord): boolean {
  const { config } = sandbox;
  if (sandbox.state !== 'creating' || config.pid === 'pod' || Object.keys(config.sysctls).length > 0) return false;
  const ipc = config.ipc === 'node' || sandbox.ipcPath !== undefined;
  const netAndUts = config.network === 'node' || (sandbox.netnsPath !== undefined && sandbox.utsPath !== undefined);
  return ipc && netAndUts;
}

/** A container whose rootfs was made ahead of its CreateContainer (prepare.ts). */
export interface PreparedRootfs {
  /** Its record: state 'creating', its steps listed (newRecord), a placeholder config. */
  readonly record: ContainerRecord;
  /** When the overlay was mounted (ISO time), stamped with the create's next write. */
  readonly mountedAt: string;
  /** The image's passwd and group files, read from the rootfs (nothing runs in it before the create). */
  readonly userDb: UserDb;
}

/**
 * A container's first record, every step of its create noted before anything is made (the overlay
 * rootfs, the bundle, runc's create through conmon): the undo unmounts only what is mounted, and removing
 * a container runc and conmon do not know is no error, so one write serves the record's creation and all
 * three steps; the create writes once more, with runc's pid. (A separate write of the bundle and created
 * steps cost a write, its fsyncs and an inode per container.) A prepared rootfs (prepare.ts) is such a
 * record too, whose create comes later.
 */
export function newRecord(
  id: string,
  sandboxId: string,
  cgroupParent: string,
  config: ContainerConfig,
  image: ImageRecord,
  now: Date,
  dir: string,
): ContainerRecord {
  return {
    schema: 1,
    id,
    sandboxId,
    config,
    imageId: image.id,
    imageRef: config.image,
    state: 'creating',
    createdAt: now.toISOString(),
    cgroupsPath: childCgroupPath(cgroupParent, id),
    dir,
    done: ['rootfs', 'bundle', 'created'],
  };
}

/** The overlay rootfs over the image's layers, in the container's dir; returns when it was mounted. */
export async function mountRootfs(host: RuntimeHost, record: ContainerRecord, image: ImageRecord): Promise<string> {
  const rootfs = containerRootfs(record.dir);
  const upper = join(record.dir, 'upper');
  const work = join(record.dir, 'work');
  await Promise.all([rootfs, upper, work].map((d) => mkdir(d, { recursive: true, mode: 0o755 })));
  const layers = await host.images.rootfsLayers(image);
  await host.mounts.overlay(layers.lowerDirs, upper, work, rootfs);
  return new Date().toISOString();
}

/** The OCI spec of the container's bundle, from the pure spec generator. */
async function bundleSpec(
  host: RuntimeHost,
  input: {
    id: string;
    sandbox: SandboxRecord;
    config: ContainerConfig;
    rootfs: string;
    cgroupsPath: string;
    user: ReturnType<typeof resolveUser>;
    targetPid: number | undefined;
  },
): Promise<ReturnType<typeof buildContainerSpec>> {
  const { id, sandbox, config, user } = input;
  return buildContainerSpec({
    containerId: id,
    hostname: sandbox.config.hostname,
    rootfs: input.rootfs,
    args: config.args,
    env: config.env,
    cwd: config.workingDir || '/',
    terminal: config.tty,
    ...joinNamespaces(sandbox, input.targetPid),
    cgroupNamespace: host.cgroups.version === 'v2',
    mounts: containerMounts(sandbox, config),
    cgroupsPath: input.cgroupsPath,
    resources: config.resources,
    cgroupUnified: await host.cgroups.containerUnified(sandbox.config.cgroupParent),
    oomScoreAdj: config.oomScoreAdj,
    security: { ...config.security, ...user },
    annotations: {
      'io.kubernetes.cri.container-type': 'container',
      'io.kubernetes.cri.sandbox-id': sandbox.id,
      'io.kubernetes.cri.container-name': config.name,
    },
  });
}

/** The image's passwd and group files are small; a huge one is cut rather than read whole into memory. */
const USER_DB_MAX_BYTES = 1 << 20;

export async function readUserDb(host: RuntimeHost, rootfs: string): Promise<UserDb> {
  const [passwd, group] = await Promise.all([
    host.rootfs.readFile(rootfs, '/etc/passwd', USER_DB_MAX_BYTES),
    host.rootfs.readFile(rootfs, '/etc/group', USER_DB_MAX_BYTES),
  ]);
  return { passwd: passwd === undefined ? undefined : parsePasswd(passwd), group: group === undefined ? undefined : parseGroup(group) };
}

/** Joins the sandbox's namespaces through their pins (through the pause process in a record older than the IPC and UTS pins). */
function joinNamespaces(
  sandbox: SandboxRecord,
  targetPid: number | undefined,
): { network: NamespaceMode; ipc: NamespaceMode; uts: NamespaceMode; pid: NamespaceMode } {
  const pause = sandbox.pausePid ?? 0;
  const { config } = sandbox;
  const network: NamespaceMode = config.network === 'node' ? { mode: 'host' } : { mode: 'pod', path: sandbox.netnsPath ?? `/proc/${pause}/ns/net` };
  const ipc: NamespaceMode = config.ipc === 'node' ? { mode: 'host' } : { mode: 'pod', path: sandbox.ipcPath ?? `/proc/${pause}/ns/ipc` };
  const uts: NamespaceMode = config.network === 'node' ? { mode: 'host' } : { mode: 'pod', path: sandbox.utsPath ?? `/proc/${pause}/ns/uts` };
  let pid: NamespaceMode;
  if (targetPid !== undefined) pid = { mode: 'pod', path: `/proc/${targetPid}/ns/pid` };
  else if (config.pid === 'node') pid = { mode: 'host' };
  else if (config.pid === 'pod') pid = { mode: 'pod', path: `/proc/${pause}/ns/pid` };
  else pid = { mode: 'own' };
  return { network, ipc, uts, pid };
}

const PROPAGATION_OPTION: Readonly<Record<NonNullable<VolumeMount['propagation']>, string>> = { private: 'rprivate', rslave: 'rslave', rshared: 'rshared' };

function containerMounts(sandbox: SandboxRecord, config: ContainerConfig): Mount[] {
  const bind = (source: string, destination: string, readOnly: boolean, recursive = false, propagation: VolumeMount['propagation'] = 'private'): Mount => ({
    destination,
    source,
    type: 'bind',
    options: [recursive ? 'rbind' : 'bind', readOnly ? 'ro' : 'rw', PROPAGATION_OPTION[propagation]],
  });
  const mounts: Mount[] = [];
  const claimed = new Set(config.mounts.map((m) => cleanDestination(m.containerPath)));
  for (const file of SANDBOX_FILES) {
    const target = `/etc/${file}`;
    if (!claimed.has(target)) mounts.push(bind(join(sandbox.dir, file), target, false));
  }
  // The pod's /dev/shm, shared by its containers (containerd's containerMounts), unless a volume claims it.
  // A sandbox recorded before it has none: its containers keep a tmpfs each, as they were made.
  if (sandbox.shmPath !== undefined && !claimed.has('/dev/shm')) mounts.push(bind(sandbox.shmPath, '/dev/shm', false, true));
  for (const m of config.mounts) mounts.push(bind(m.hostPath, m.containerPath, m.readOnly, m.recursive ?? false, m.propagation));
  return mounts;
}

/** The host files the request asks the create to make (VolumeMount.createFile): created or emptied, directories first. */
async function makeHostFiles(mounts: readonly VolumeMount[]): Promise<void> {
  await Promise.all(
    mounts
      .filter((m) => m.createFile === true)
      .map(async (m) => {
        await mkdir(dirname(m.hostPath), { recursive: true, mode: 0o755 });
        // Closing a descriptor of a new empty file waits for nothing: made directly.
        closeSync(await openFd(m.hostPath, 'w', 0o666));
      }),
  );
}

/**
 * Propagation only happens between peers: a host-to-container volume must sit on a shared or slave
 * mount, a bidirectional one on a shared mount (containerd's ensureShared/ensureSharedOrSlave). A
 * private source would silently propagate nothing, so it is refused with the command that fixes it.
 */
async function checkPropagation(host: RuntimeHost, config: ContainerConfig): Promise<void> {
  for (const [i, m] of config.mounts.entries()) {
    if (m.propagation === undefined || m.propagation === 'private') continue;
    const source = await host.mounts.mountOf(m.hostPath);
    const ok = source !== undefined && (source.propagation === 'shared' || (m.propagation === 'rslave' && source.propagation === 'slave'));
    if (!ok) {
      const kind =
        m.propagation === 'rshared' ? 'bidirectional propagation needs a shared mount' : 'host-to-container propagation needs a shared or slave mount';
      throw new PeapodError(
        'FailedPrecondition',
        `container ${config.name}: mounts[${i}] ${m.hostPath}: ${kind}; it is on ${source?.target ?? '?'} (${source?.propagation ?? 'unknown'})`,
        {
          hint: `mount --make-rshared ${source?.target ?? m.hostPath}`,
        },
      );
    }
  }
}
