// The API server's rules for the fields particular to StatefulSet, DaemonSet and PersistentVolumeClaim
// (pkg/apis/apps/validation, pkg/apis/core/validation ValidatePersistentVolumeClaimSpec), each finding
// with its field path. The selector and the pod template are checked by the kinds' shared rules (kinds/template.ts).
import type { Finding } from './schema.js';
import { isQuantity, parseQuantity } from './quantity.js';
import { checkDns1123Label, checkDns1123Subdomain } from './names.js';

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const recs = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter(isRec) : []);
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? ''));
const supported = (path: string, value: unknown, allowed: readonly string[]): Finding => ({
  path,
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`,
});

/** JSON with object keys sorted at every level: equal for equal content whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRec(value))
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] as const;
const VOLUME_MODES = ['Filesystem', 'Block'];
const RETENTION = ['Retain', 'Delete'];

export function validateClaimSpec(spec: unknown, path: string, errors: Finding[]): void {
  if (!isRec(spec)) {
    errors.push({ path, message: 'Required value' });
    return;
  }
  const modes = spec['accessModes'];
  if (!Array.isArray(modes) || modes.length === 0) errors.push({ path: `${path}.accessModes`, message: 'Required value: at least 1 access mode is required' });
  else {
    modes.forEach((m, i) => {
      if (!(ACCESS_MODES as readonly unknown[]).includes(m)) errors.push(supported(`${path}.accessModes[${i}]`, m, ACCESS_MODES));
    });
    if (modes.includes('ReadWriteOncePod') && modes.length > 1)
      errors.push({ path: `${path}.accessModes`, message: 'Forbidden: may not use ReadWriteOncePod with other access modes' });
  }
  if (spec['volumeMode'] !== undefined && !VOLUME_MODES.includes(text(spec['volumeMode'])))
    errors.push(supported(`${path}.volumeMode`, spec['volumeMode'], VOLUME_MODES));
  const storage = isRec(spec['resources']) && isRec(spec['resources']['requests']) ? spec['resources']['requests']['storage'] : undefined;
  const at = `${path}.resources[storage]`;
  if (storage === undefined) errors.push({ path: at, message: 'Required value' });
  else if (!isQuantity(text(storage))) errors.push({ path: at, message: `Invalid value: ${JSON.stringify(storage)}: must be a quantity (e.g. 1Gi)` });
  else if (parseQuantity(text(storage)).value <= 0) errors.push({ path: at, message: `Invalid value: ${JSON.stringify(storage)}: must be greater than zero` });
  const cls = spec['storageClassName'];
  if (typeof cls === 'string' && cls !== '') checkDns1123Subdomain(cls, `${path}.storageClassName`, errors);
}

/** A claim's spec after creation: only resources.requests may change, and local-path cannot grow a volume. */
export function checkClaimUpdate(before: Rec, after: Rec): string | undefined {
  const spec = (o: Rec): Rec => (isRec(o['spec']) ? o['spec'] : {});
  const storage = (o: Rec): unknown => {
    const r = spec(o)['resources'];
    return isRec(r) && isRec(r['requests']) ? r['requests']['storage'] : undefined;
  };
  // volumeName and storageClassName are filled in by binding: a manifest that leaves them out changes nothing.
  const comparable = (o: Rec, bound: Rec): string => {
    const s: Rec = { ...spec(o) };
    delete s['resources'];
    for (const filled of ['volumeName', 'storageClassName']) if (s[filled] === undefined) s[filled] = spec(bound)[filled];
    return canonical(s);
  };
  if (comparable(after, before) !== comparable(before, before))
    return 'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';
  if (JSON.stringify(storage(after)) !== JSON.stringify(storage(before)))
    return 'spec.resources.requests.storage: Forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize (local-path does not: volume expansion is not supported on this host)';
  return undefined;
}

function checkNonNegative(value: unknown, path: string, errors: Finding[]): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0))
    errors.push({ path, message: `Invalid value: ${JSON.stringify(value)}: must be greater than or equal to 0` });
}

export function validateStatefulSetFields(object: Rec, errors: Finding[]): void {
  const metadata = isRec(object['metadata']) ? object['metadata'] : {};
  // Pods are named <set>-<ordinal> and use that as their hostname: the set's name must fit a DNS label.
  checkDns1123Label(metadata['name'], 'metadata.name', errors);
  const spec = isRec(object['spec']) ? object['spec'] : {};
  checkNonNegative(spec['replicas'], 'spec.replicas', errors);
  checkNonNegative(spec['minReadySeconds'], 'spec.minReadySeconds', errors);
  const policy = spec['podManagementPolicy'];
  if (policy !== undefined && policy !== 'OrderedReady' && policy !== 'Parallel')
    errors.push(supported('spec.podManagementPolicy', policy, ['OrderedReady', 'Parallel']));
  const strategy = isRec(spec['updateStrategy']) ? spec['updateStrategy'] : {};
  const type = strategy['type'];
  if (type !== undefined && type !== 'RollingUpdate' && type !== 'OnDelete')
    errors.push(supported('spec.updateStrategy.type', type, ['RollingUpdate', 'OnDelete']));
  if (type === 'OnDelete' && strategy['rollingUpdate'] !== undefined)
    errors.push({ path: 'spec.updateStrategy.rollingUpdate', message: "Invalid value: only allowed for updateStrategy 'RollingUpdate'" });
  const rolling = isRec(strategy['rollingUpdate']) ? strategy['rollingUpdate'] : {};
  checkNonNegative(rolling['partition'], 'spec.updateStrategy.rollingUpdate.partition', errors);
  if (rolling['maxUnavailable'] !== undefined)
    errors.push({
      path: 'spec.updateStrategy.rollingUpdate.maxUnavailable',
      message: 'Forbidden: maxUnavailable is an alpha feature (MaxUnavailableStatefulSet) peapod does not implement',
    });
  if (typeof spec['serviceName'] === 'string' && spec['serviceName'] !== '') checkDns1123Label(spec['serviceName'], 'spec.serviceName', errors);
  const retention = isRec(spec['persistentVolumeClaimRetentionPolicy']) ? spec['persistentVolumeClaimRetentionPolicy'] : {};
  for (const field of ['whenDeleted', 'whenScaled'])
    if (retention[field] !== undefined && !RETENTION.includes(text(retention[field])))
      errors.push(supported(`spec.persistentVolumeClaimRetentionPolicy.${field}`, retention[field], RETENTION));
  const ordinals = isRec(spec['ordinals']) ? spec['ordinals'] : {};
  checkNonNegative(ordinals['start'], 'spec.ordinals.start', errors);
  const names = new Set<string>();
  recs(spec['volumeClaimTemplates']).forEach((t, i) => {
    const at = `spec.volumeClaimTemplates[${i}]`;
    const name = isRec(t['metadata']) ? t['metadata']['name'] : undefined;
    checkDns1123Label(name, `${at}.metadata.name`, errors);
    if (typeof name === 'string' && names.has(name)) errors.push({ path: `${at}.metadata.name`, message: `Duplicate value: ${JSON.stringify(name)}` });
    if (typeof name === 'string') names.add(name);
    validateClaimSpec(t['spec'], `${at}.spec`, errors);
  });
}

export function validateDaemonSetFields(object: Rec, errors: Finding[]): void {
  const spec = isRec(object['spec']) ? object['spec'] : {};
  checkNonNegative(spec['minReadySeconds'], 'spec.minReadySeconds', errors);
  const strategy = isRec(spec['updateStrategy']) ? spec['updateStrategy'] : {};
  const type = strategy['type'];
  if (type !== undefined && type !== 'RollingUpdate' && type !== 'OnDelete')
    errors.push(supported('spec.updateStrategy.type', type, ['RollingUpdate', 'OnDelete']));
  const rolling = isRec(strategy['rollingUpdate']) ? strategy['rollingUpdate'] : {};
  const zero = (v: unknown): boolean => v === 0 || v === '0%';
  for (const field of ['maxUnavailable', 'maxSurge']) {
    const v = rolling[field];
    if (v === undefined) continue;
    const ok = (typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'string' && /^(100|[1-9]?[0-9])%$/.test(v));
    if (!ok)
      errors.push({
        path: `spec.updateStrategy.rollingUpdate.${field}`,
        message: `Invalid value: ${JSON.stringify(v)}: must be a non-negative integer or a percentage from 0% to 100%`,
      });
  }
  if (zero(rolling['maxSurge'] ?? 0) && zero(rolling['maxUnavailable'] ?? 1))
    errors.push({ path: 'spec.updateStrategy.rollingUpdate.maxUnavailable', message: 'Invalid value: 0: may not be 0 when `maxSurge` is 0' });
}

/** StatefulSet spec fields that may change after creation (ValidateStatefulSetUpdate). */
export const STATEFULSET_MUTABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'revisionHistoryLimit',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
];

export function checkStatefulSetUpdate(before: Rec, after: Rec): string | undefined {
  const frozen = (o: Rec): string => {
    const spec: Rec = { ...(isRec(o['spec']) ? o['spec'] : {}) };
    for (const field of STATEFULSET_MUTABLE) delete spec[field];
    return canonical(spec);
  };
  if (frozen(before) === frozen(after)) return undefined;
  return `spec: Forbidden: updates to statefulset spec for fields other than ${STATEFULSET_MUTABLE.map((f) => `'${f}'`).join(', ')} are forbidden`;
}
