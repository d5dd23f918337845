// The pod's volumes, made ready on the host before its containers start (the kubelet's volume manager,
// for the local volume types): emptyDir (disk or tmpfs), hostPath (with its type check), configMap,
// secret (always on tmpfs, never on disk), downwardAPI and projected.
import { chmod, mkdir, stat } from 'node:fs/promises';
import { removeTree } from '../../common/remove-tree.js';
import { join } from 'node:path';
import { PeapodError, errorMessage, isErrnoException } from '../../common/errors.js';
import type { ConfigMap, Pod, Secret, Volume } from '../../kube/types.js';
import { parseQuantity } from '../../kube/quantity.js';
import { writeAtomic } from './atomic-writer.js';
import type { ProjectedFile } from './files.js';
import type { VolumeHostOps } from './host-ops.js';
import { setVolumeOwnership } from './ownership.js';
import { cleanSubPathStaging } from './subpath-staging.js';
import { projectConfigMap, projectDownward, projectSecret } from './project.js';

export interface VolumeLookups {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  /** The value of a downward API fieldRef (metadata.name, status.podIP, …). */
  field(path: string): string | undefined;
  /** The host directory of a claim's bound volume, or why the pod must wait for it. */
  claim?(namespace: string, claimName: string): ClaimVolume;
}

/** A PersistentVolumeClaim as a pod volume: its bound volume's directory, or what it waits for. */
export type ClaimVolume = { readonly path: string } | { readonly waiting: string };

/** Where each volume of the pod lives on the host, by volume name. */
export type PreparedVolumes = ReadonlyMap<string, string>;

/** Size of a memory-backed emptyDir without sizeLimit: the kubelet uses node allocatable; we cap lower. */
const DEFAULT_MEMORY_EMPTYDIR_BYTES = 512 * 1024 * 1024;
const SECRET_TMPFS_BYTES = 16 * 1024 * 1024;

export function podVolumesDir(podsRoot: string, uid: string): string {
  return join(podsRoot, uid, 'volumes');
}

export async function setUpVolumes(pod: Pod, volumesDir: string, lookups: VolumeLookups, ops: VolumeHostOps): Promise<PreparedVolumes> {
  const prepared = new Map<string, string>();
  const volumes = pod.spec.volumes ?? [];
  const fsGroup = pod.spec.securityContext?.fsGroup;
  for (const [index, volume] of volumes.entries()) {
    const dir = await setUpVolume(pod, volume, `spec.volumes[${index}]`, join(volumesDir, volume.name), lookups, ops);
    // hostPath volumes keep the host's ownership, as in Kubernetes.
    if (fsGroup !== undefined && !volume.hostPath) await setVolumeOwnership(dir, fsGroup, isProjectedVolume(volume));
    prepared.set(volume.name, dir);
  }
  return prepared;
}

async function setUpVolume(pod: Pod, volume: Volume, field: string, dir: string, lookups: VolumeLookups, ops: VolumeHostOps): Promise<string> {
  if (volume.hostPath) return checkHostPath(volume.hostPath.path, volume.hostPath.type ?? '', `${field}.hostPath`);
  if (volume.persistentVolumeClaim) return claimPath(pod, volume.persistentVolumeClaim.claimName, `${field}.persistentVolumeClaim`, lookups);
  if (volume.emptyDir) {
    // World-writable like the kubelet's emptyDir (mkdir's mode is cut by the umask, chmod is not).
    await mkdir(dir, { recursive: true, mode: 0o777 });
    await chmod(dir, 0o777);
    if (volume.emptyDir.medium === 'Memory') {
      const size = volume.emptyDir.sizeLimit ? parseQuantity(volume.emptyDir.sizeLimit).value : DEFAULT_MEMORY_EMPTYDIR_BYTES;
      if (!(await ops.isMountPoint(dir))) await ops.mountTmpfs(dir, { sizeBytes: Math.ceil(size), mode: 0o777 });
      await chmod(dir, 0o777);
    }
    return dir;
  }
  const projection = projectionOf(pod, volume, field, lookups);
  if (!projection)
    throw new PeapodError(
      'InvalidArgument',
      `${field}: volume type is not supported by peapod (supported: emptyDir, hostPath, persistentVolumeClaim, configMap, secret, downwardAPI, projected)`,
    );
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if (projection.onTmpfs && !(await ops.isMountPoint(dir))) await ops.mountTmpfs(dir, { sizeBytes: SECRET_TMPFS_BYTES, mode: 0o755 });
  const fsGroup = pod.spec.securityContext?.fsGroup;
  await writeAtomic(dir, projection.files, fsGroup === undefined ? {} : { setPerms: (payloadDir) => setVolumeOwnership(payloadDir, fsGroup, true) });
  return dir;
}

/** configMap, secret, downwardAPI and projected volumes: always read-only in the container, as in Kubernetes. */
export function isProjectedVolume(volume: Volume | undefined): boolean {
  return (
    volume !== undefined &&
    (volume.configMap !== undefined || volume.secret !== undefined || volume.downwardAPI !== undefined || volume.projected !== undefined)
  );
}

/** The files of a projected-kind volume from the current objects; undefined for the other volume types. */
function projectionOf(pod: Pod, volume: Volume, field: string, lookups: VolumeLookups): { files: ProjectedFile[]; onTmpfs: boolean } | undefined {
  const namespace = pod.metadata.namespace ?? 'default';
  if (volume.configMap)
    return { files: projectConfigMap(volume.configMap, lookups.configMap(namespace, volume.configMap.name ?? ''), `${field}.configMap`), onTmpfs: false };
  if (volume.secret)
    return { files: projectSecret(volume.secret, lookups.secret(namespace, volume.secret.secretName ?? ''), `${field}.secret`), onTmpfs: true };
  if (volume.downwardAPI) return { files: projectDownward(volume.downwardAPI, (path) => lookups.field(path), `${field}.downwardAPI`), onTmpfs: false };
  if (!volume.projected) return undefined;
  const files: ProjectedFile[] = [];
  let onTmpfs = false;
  for (const [i, source] of (volume.projected.sources ?? []).entries()) {
    const at = `${field}.projected.sources[${i}]`;
    const mode = volume.projected.defaultMode;
    const withDefault = <T extends object>(s: T): T & { defaultMode?: number } => (mode === undefined ? s : { ...s, defaultMode: mode });
    if (source.configMap)
      files.push(...projectConfigMap(withDefault(source.configMap), lookups.configMap(namespace, source.configMap.name ?? ''), `${at}.configMap`));
    else if (source.secret) {
      files.push(
        ...projectSecret(
          withDefault({ ...source.secret, ...(source.secret.name !== undefined ? { secretName: source.secret.name } : {}) }),
          lookups.secret(namespace, source.secret.name ?? ''),
          `${at}.secret`,
        ),
      );
      onTmpfs = true;
    } else if (source.downwardAPI) files.push(...projectDownward(withDefault(source.downwardAPI), (path) => lookups.field(path), `${at}.downwardAPI`));
    else throw new PeapodError('InvalidArgument', `${at}: only configMap, secret and downwardAPI sources are supported on this host`);
  }
  return { files, onTmpfs };
}

/**
 * Re-projects the pod's configMap, secret, downwardAPI and projected volumes from the current objects
 * (the kubelet's periodic remount): a changed payload is swapped in atomically, an unchanged one is left
 * alone. A volume whose source went missing keeps its last content, as in Kubernetes; its error is returned.
 */
export async function refreshProjectedVolumes(pod: Pod, volumesDir: string, lookups: VolumeLookups): Promise<string[]> {
  const problems: string[] = [];
  const fsGroup = pod.spec.securityContext?.fsGroup;
  for (const [index, volume] of (pod.spec.volumes ?? []).entries()) {
    if (!isProjectedVolume(volume)) continue;
    const field = `spec.volumes[${index}]`;
    try {
      const projection = projectionOf(pod, volume, field, lookups);
      if (!projection) continue;
      await writeAtomic(
        join(volumesDir, volume.name),
        projection.files,
        fsGroup === undefined ? {} : { setPerms: (dir) => setVolumeOwnership(dir, fsGroup, true) },
      );
    } catch (err) {
      problems.push(`${field} (${volume.name}): ${errorMessage(err)}`);
    }
  }
  return problems;
}

/**
 * The bound volume's directory (the local-path provisioner's, under the daemon's root). An unbound or
 * missing claim keeps the pod waiting, retried like any volume setup, as the scheduler keeps such a pod
 * Pending ("pod has unbound immediate PersistentVolumeClaims").
 */
function claimPath(pod: Pod, claimName: string, field: string, lookups: VolumeLookups): string {
  const namespace = pod.metadata.namespace ?? 'default';
  const found = lookups.claim?.(namespace, claimName) ?? { waiting: 'persistent volume claims are not served by this daemon' };
  if ('waiting' in found) throw new PeapodError('FailedPrecondition', `${field}: persistentvolumeclaim "${claimName}": ${found.waiting}`);
  return found.path;
}

/** hostPath's `type` checks (pkg/volume/hostpath: DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice). */
async function checkHostPath(path: string, type: string, field: string): Promise<string> {
  const info = await stat(path).catch((err: unknown) => {
    if (isErrnoException(err, 'ENOENT')) return undefined;
    throw err;
  });
  const fail = (what: string): never => {
    throw new PeapodError('FailedPrecondition', `${field}: hostPath type check failed: ${path} ${what}`);
  };
  switch (type) {
    case '':
      return path;
    case 'DirectoryOrCreate':
      if (!info) await mkdir(path, { recursive: true, mode: 0o755 });
      else if (!info.isDirectory()) fail('is not a directory');
      return path;
    case 'Directory':
      if (!info?.isDirectory()) fail('is not a directory');
      return path;
    case 'FileOrCreate':
      if (!info) {
        const { writeFile } = await import('node:fs/promises');
        await writeFile(path, '', { mode: 0o644, flag: 'wx' }).catch((err: unknown) => {
          if (!isErrnoException(err, 'EEXIST')) throw err;
        });
      } else if (!info.isFile()) fail('is not a file');
      return path;
    case 'File':
      if (!info?.isFile()) fail('is not a file');
      return path;
    case 'Socket':
      if (!info?.isSocket()) fail('is not a socket');
      return path;
    case 'CharDevice':
      if (!info?.isCharacterDevice()) fail('is not a character device');
      return path;
    case 'BlockDevice':
      if (!info?.isBlockDevice()) fail('is not a block device');
      return path;
    default:
      return fail(`has unsupported type ${JSON.stringify(type)}`);
  }
}

/** Unmounts subPath staging and tmpfs-backed volumes and removes the pod's directories (hostPath sources are never touched). */
export async function tearDownVolumes(volumesDir: string, pod: Pod, ops: VolumeHostOps): Promise<void> {
  // Before anything is removed: a staging bind left by a crash would let rm reach into a volume.
  await cleanSubPathStaging(join(volumesDir, '..'), ops);
  for (const volume of pod.spec.volumes ?? []) {
    // hostPath and claim volumes are the host's or the provisioner's directories: never the pod's to remove.
    if (volume.hostPath || volume.persistentVolumeClaim) continue;
    await ops.unmount(join(volumesDir, volume.name));
  }
  await removeTree(join(volumesDir, '..'));
}
