// v1 PersistentVolumeClaim and PersistentVolume: shapes, the API server's rules (access modes, volume mode,
// a storage request; a claim's spec is immutable and local-path volumes cannot grow), the defaults
// (the DefaultStorageClass admission gives a claim without a class the default one, local-path) and
// kubectl's columns.
import { SHAPES } from '../schema.js';
import { isRecord, text, type ApiObject, type KindInfo } from './kind.js';
import { checkClaimUpdate, validateClaimSpec } from '../validate-stateful.js';

/** The one StorageClass of this host, and its default (storageclass.kubernetes.io/is-default-class). */
export const DEFAULT_STORAGE_CLASS = 'local-path';

const { str, obj, any, strArr, metadata } = SHAPES;

const specOf = (o: ApiObject): Record<string, unknown> => (isRecord(o.spec) ? o.spec : {});
const statusOf = (o: ApiObject): Record<string, unknown> => (isRecord(o.status) ? o.status : {});
const modes = (v: unknown): string =>
  (Array.isArray(v) ? (v as string[]) : [])
    .map((m) => ({ ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' })[m] ?? m)
    .join(',');

export const PVC_KIND: KindInfo = {
  kind: 'PersistentVolumeClaim',
  apiVersion: 'v1',
  plural: 'persistentvolumeclaims',
  singular: 'persistentvolumeclaim',
  shortNames: ['pvc'],
  namespaced: true,
  applyOrder: 30,
  shape: obj(
    {
      apiVersion: str,
      kind: str,
      metadata,
      spec: obj({
        accessModes: strArr,
        resources: any,
        storageClassName: str,
        volumeName: str,
        volumeMode: str,
        selector: any,
        dataSource: any,
        dataSourceRef: any,
      }),
      status: any,
    },
    ['metadata', 'spec'],
  ),
  validate: (value, errors) => validateClaimSpec(value['spec'], 'spec', errors),
  validateUpdate: checkClaimUpdate,
  defaults: (object) => ({ ...object, spec: { volumeMode: 'Filesystem', storageClassName: DEFAULT_STORAGE_CLASS, ...specOf(object) } }),
  columns: [
    { header: 'STATUS', value: (o) => text(statusOf(o)['phase'], 'Pending') },
    { header: 'VOLUME', value: (o) => text(specOf(o)['volumeName'], '') },
    { header: 'CAPACITY', value: (o) => String((statusOf(o)['capacity'] as Record<string, string> | undefined)?.['storage'] ?? '') },
    { header: 'ACCESS MODES', value: (o) => modes(statusOf(o)['accessModes']) },
    { header: 'STORAGECLASS', value: (o) => text(specOf(o)['storageClassName'], '<unset>') },
    { header: 'VOLUMEATTRIBUTESCLASS', value: () => '<unset>' },
  ],
  wideColumns: [{ header: 'VOLUMEMODE', value: (o) => text(specOf(o)['volumeMode'], 'Filesystem') }],
};

export const PV_KIND: KindInfo = {
  kind: 'PersistentVolume',
  apiVersion: 'v1',
  plural: 'persistentvolumes',
  singular: 'persistentvolume',
  shortNames: ['pv'],
  namespaced: false,
  applyOrder: 20,
  shape: obj(
    {
      apiVersion: str,
      kind: str,
      metadata,
      spec: obj({
        capacity: any,
        accessModes: strArr,
        persistentVolumeReclaimPolicy: str,
        storageClassName: str,
        volumeMode: str,
        claimRef: any,
        hostPath: any,
        local: any,
        nodeAffinity: any,
        mountOptions: strArr,
      }),
      status: any,
    },
    ['metadata', 'spec'],
  ),
  validate: () => undefined,
  defaults: (object) => ({ ...object, spec: { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', ...specOf(object) } }),
  columns: [
    { header: 'CAPACITY', value: (o) => String((specOf(o)['capacity'] as Record<string, string> | undefined)?.['storage'] ?? '') },
    { header: 'ACCESS MODES', value: (o) => modes(specOf(o)['accessModes']) },
    { header: 'RECLAIM POLICY', value: (o) => text(specOf(o)['persistentVolumeReclaimPolicy'], 'Retain') },
    { header: 'STATUS', value: (o) => text(statusOf(o)['phase'], 'Available') },
    {
      header: 'CLAIM',
      value: (o) => {
        const ref = specOf(o)['claimRef'] as { namespace?: string; name?: string } | undefined;
        return ref?.name ? `${ref.namespace ?? 'default'}/${ref.name}` : '';
      },
    },
    { header: 'STORAGECLASS', value: (o) => text(specOf(o)['storageClassName'], '') },
    { header: 'VOLUMEATTRIBUTESCLASS', value: () => '<unset>' },
    { header: 'REASON', value: (o) => text(statusOf(o)['reason'], '') },
  ],
  wideColumns: [{ header: 'VOLUMEMODE', value: (o) => text(specOf(o)['volumeMode'], 'Filesystem') }],
};
