// kubectl describe statefulset / daemonset / persistentvolumeclaim / persistentvolume
// (k8s.io/kubectl/pkg/describe: StatefulSetDescriber, DaemonSetDescriber, PersistentVolumeClaimDescriber,
// PersistentVolumeDescriber).
import type { ObjectDescribeResult } from '../../../api/routes/objects.js';
import { formatSelector } from '../../../kube/label-selector.js';
import type { DaemonSet, PersistentVolume, PersistentVolumeClaim, StatefulSet } from '../../../kube/stateful-types.js';
import { templateLines } from './apps.js';
import { field } from './format.js';

const n = (v: number | undefined): number => v ?? 0;
const MODE_SHORT: Readonly<Record<string, string>> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
const modes = (list: readonly string[] | undefined): string => (list ?? []).map((m) => MODE_SHORT[m] ?? m).join(',');
const mapText = (map: Readonly<Record<string, string>> | undefined): string =>
  Object.entries(map ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',') || '<none>';

function podsStatus(result: ObjectDescribeResult): string {
  const count = (phase: string): number => result.pods.filter((p) => p.pod.status.phase === phase).length;
  return `${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed`;
}

export function describeStatefulSet(result: ObjectDescribeResult): string[] {
  const set = result.object as StatefulSet;
  const strategy = set.spec.updateStrategy;
  const lines = [
    field('Selector', formatSelector(set.spec.selector)),
    field('Replicas', `${n(set.spec.replicas)} desired | ${n(set.status?.replicas)} total`),
    field('Update Strategy', strategy?.type ?? 'RollingUpdate'),
    ...((strategy?.type ?? 'RollingUpdate') === 'RollingUpdate' ? [field('  Partition', String(strategy?.rollingUpdate?.partition ?? 0))] : []),
    field('Pods Status', podsStatus(result)),
    ...templateLines(set.spec.template),
  ];
  const claims = set.spec.volumeClaimTemplates ?? [];
  lines.push(`Volume Claims:${claims.length === 0 ? '  <none>' : ''}`);
  for (const c of claims) {
    lines.push(
      `  Name:          ${c.metadata.name}`,
      `  StorageClass:  ${c.spec.storageClassName ?? ''}`,
      `  Labels:        ${mapText(c.metadata.labels)}`,
      `  Annotations:   ${mapText(c.metadata.annotations)}`,
      `  Capacity:      ${c.spec.resources?.requests?.['storage'] ?? ''}`,
      `  Access Modes:  [${(c.spec.accessModes ?? []).join(' ')}]`,
    );
  }
  const retention = set.spec.persistentVolumeClaimRetentionPolicy;
  lines.push(field('PVC Retention Policy', `WhenDeleted: ${retention?.whenDeleted ?? 'Retain'}, WhenScaled: ${retention?.whenScaled ?? 'Retain'}`));
  return lines;
}

export function describeDaemonSet(result: ObjectDescribeResult): string[] {
  const ds = result.object as DaemonSet;
  const s = ds.status;
  return [
    field('Selector', formatSelector(ds.spec.selector)),
    field('Node-Selector', mapText(ds.spec.template.spec.nodeSelector)),
    `Desired Number of Nodes Scheduled: ${n(s?.desiredNumberScheduled)}`,
    `Current Number of Nodes Scheduled: ${n(s?.currentNumberScheduled)}`,
    `Number of Nodes Scheduled with Up-to-date Pods: ${n(s?.updatedNumberScheduled)}`,
    `Number of Nodes Scheduled with Available Pods: ${n(s?.numberAvailable)}`,
    `Number of Nodes Misscheduled: ${n(s?.numberMisscheduled)}`,
    field('Pods Status', podsStatus(result)),
    ...templateLines(ds.spec.template),
  ];
}

export function describePersistentVolumeClaim(result: ObjectDescribeResult): string[] {
  const claim = result.object as PersistentVolumeClaim;
  return [
    field('StorageClass', claim.spec.storageClassName ?? ''),
    field('Status', claim.metadata.deletionTimestamp ? 'Terminating' : (claim.status?.phase ?? 'Pending')),
    field('Volume', claim.spec.volumeName ?? ''),
    field('Finalizers', `[${(claim.metadata.finalizers ?? []).join(' ')}]`),
    field('Capacity', claim.status?.capacity?.['storage'] ?? ''),
    field('Access Modes', modes(claim.status?.accessModes)),
    field('VolumeMode', claim.spec.volumeMode ?? 'Filesystem'),
    field('Used By', result.pods.map((p) => p.pod.metadata.name).join('\n' + ' '.repeat(24)) || '<none>'),
  ];
}

export function describePersistentVolume(result: ObjectDescribeResult): string[] {
  const volume = result.object as PersistentVolume;
  const ref = volume.spec.claimRef;
  const lines = [
    field('Finalizers', `[${(volume.metadata.finalizers ?? []).join(' ')}]`),
    field('StorageClass', volume.spec.storageClassName ?? ''),
    field('Status', volume.metadata.deletionTimestamp ? 'Terminating' : (volume.status?.phase ?? 'Available')),
    field('Claim', ref ? `${ref.namespace}/${ref.name}` : ''),
    field('Reclaim Policy', volume.spec.persistentVolumeReclaimPolicy ?? 'Retain'),
    field('Access Modes', modes(volume.spec.accessModes)),
    field('VolumeMode', volume.spec.volumeMode ?? 'Filesystem'),
    field('Capacity', volume.spec.capacity?.['storage'] ?? ''),
    field('Node Affinity', '<none>'),
    field('Message', volume.status?.message ?? ''),
    'Source:',
  ];
  if (volume.spec.hostPath)
    lines.push(
      '    Type:          HostPath (bare host directory volume)',
      `    Path:          ${volume.spec.hostPath.path}`,
      `    HostPathType:  ${volume.spec.hostPath.type ?? ''}`,
    );
  return lines;
}
