// The structural schema of the objects peapod accepts: a small typed description of v1 Pod, ConfigMap
// and Secret, walked by `checkShape` to report wrong types (with the field path) and unknown fields
// (as warnings, like kubectl). Semantic rules live in validate.ts.

export type Shape =
  | { readonly t: 'string' }
  | { readonly t: 'int'; readonly min?: number; readonly max?: number }
  | { readonly t: 'bool' }
  | { readonly t: 'intOrString' }
  | { readonly t: 'any' }
  | { readonly t: 'arr'; readonly of: Shape }
  | { readonly t: 'map'; readonly of: Shape }
  | { readonly t: 'obj'; readonly f: Readonly<Record<string, Shape>>; readonly required?: readonly string[] };

const str: Shape = { t: 'string' };
const int: Shape = { t: 'int' };
const nonNeg: Shape = { t: 'int', min: 0 };
/** User and group IDs: the API server allows 0 to 2147483647 (validation.ValidateNonnegativeField, int32 range). */
const id: Shape = { t: 'int', min: 0, max: 2147483647 };
const bool: Shape = { t: 'bool' };
const strArr: Shape = { t: 'arr', of: str };
const strMap: Shape = { t: 'map', of: str };
const obj = (f: Record<string, Shape>, required: string[] = []): Shape => ({ t: 'obj', f, required });
const arr = (of: Shape): Shape => ({ t: 'arr', of });

const metadata = obj(
  {
    name: str,
    namespace: str,
    uid: str,
    labels: strMap,
    annotations: strMap,
    creationTimestamp: { t: 'any' },
    generateName: str,
    resourceVersion: str,
    generation: int,
    ownerReferences: arr(
      obj({ apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool }, ['apiVersion', 'kind', 'name', 'uid']),
    ),
    finalizers: strArr,
    deletionTimestamp: { t: 'any' },
    deletionGracePeriodSeconds: int,
    managedFields: { t: 'any' },
  },
  ['name'],
);

const keyToPath = obj({ key: str, path: str, mode: int }, ['key', 'path']);
const fieldRef = obj({ fieldPath: str, apiVersion: str }, ['fieldPath']);
const resourceFieldRef = obj({ resource: str, containerName: str, divisor: { t: 'intOrString' } }, ['resource']);
const keyRef = obj({ name: str, key: str, optional: bool }, ['key']);
const exec = obj({ command: strArr });
const httpGet = obj({ host: str, port: { t: 'intOrString' }, path: str, scheme: str, httpHeaders: arr(obj({ name: str, value: str }, ['name', 'value'])) }, [
  'port',
]);
const tcpSocket = obj({ host: str, port: { t: 'intOrString' } }, ['port']);
const probe = obj({
  exec,
  httpGet,
  tcpSocket,
  grpc: obj({ port: int, service: str }, ['port']),
  initialDelaySeconds: nonNeg,
  periodSeconds: nonNeg,
  timeoutSeconds: nonNeg,
  successThreshold: nonNeg,
  failureThreshold: nonNeg,
  terminationGracePeriodSeconds: nonNeg,
});
const handler = obj({ exec, httpGet, tcpSocket, sleep: obj({ seconds: nonNeg }, ['seconds']) });
const seccompProfile = obj({ type: str, localhostProfile: str }, ['type']);
const resources = obj({ requests: { t: 'map', of: { t: 'intOrString' } }, limits: { t: 'map', of: { t: 'intOrString' } }, claims: { t: 'any' } });

const containerFields: Record<string, Shape> = {
  name: str,
  image: str,
  imagePullPolicy: str,
  command: strArr,
  args: strArr,
  workingDir: str,
  ports: arr(obj({ name: str, containerPort: int, hostPort: int, hostIP: str, protocol: str }, ['containerPort'])),
  env: arr(
    obj(
      {
        name: str,
        value: str,
        valueFrom: obj({ fieldRef, resourceFieldRef, configMapKeyRef: keyRef, secretKeyRef: keyRef }),
      },
      ['name'],
    ),
  ),
  envFrom: arr(obj({ prefix: str, configMapRef: obj({ name: str, optional: bool }), secretRef: obj({ name: str, optional: bool }) })),
  resources,
  volumeMounts: arr(obj({ name: str, mountPath: str, subPath: str, subPathExpr: str, readOnly: bool, mountPropagation: str }, ['name', 'mountPath'])),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle: obj({ postStart: handler, preStop: handler }),
  terminationMessagePath: str,
  terminationMessagePolicy: str,
  securityContext: obj({
    runAsUser: id,
    runAsGroup: id,
    runAsNonRoot: bool,
    capabilities: obj({ add: strArr, drop: strArr }),
    privileged: bool,
    readOnlyRootFilesystem: bool,
    allowPrivilegeEscalation: bool,
    seccompProfile,
    procMount: str,
    appArmorProfile: { t: 'any' },
    seLinuxOptions: { t: 'any' },
  }),
  stdin: bool,
  stdinOnce: bool,
  tty: bool,
  restartPolicy: str,
  resizePolicy: { t: 'any' },
};
const container = obj(containerFields, ['name']);
const ephemeralContainer = obj({ ...containerFields, targetContainerName: str }, ['name']);

const volume = obj(
  {
    name: str,
    emptyDir: obj({ medium: str, sizeLimit: { t: 'intOrString' } }),
    hostPath: obj({ path: str, type: str }, ['path']),
    persistentVolumeClaim: obj({ claimName: str, readOnly: bool }, ['claimName']),
    configMap: obj({ name: str, items: arr(keyToPath), defaultMode: int, optional: bool }),
    secret: obj({ secretName: str, items: arr(keyToPath), defaultMode: int, optional: bool }),
    downwardAPI: obj({ items: arr(obj({ path: str, fieldRef, resourceFieldRef, mode: int }, ['path'])), defaultMode: int }),
    projected: obj({
      defaultMode: int,
      sources: arr(
        obj({
          configMap: obj({ name: str, items: arr(keyToPath), optional: bool }),
          secret: obj({ name: str, items: arr(keyToPath), optional: bool }),
          downwardAPI: obj({ items: arr(obj({ path: str, fieldRef, resourceFieldRef, mode: int }, ['path'])) }),
          serviceAccountToken: obj({ path: str, audience: str, expirationSeconds: int }, ['path']),
        }),
      ),
    }),
  },
  ['name'],
);

const podSpec = obj(
  {
    containers: arr(container),
    initContainers: arr(container),
    ephemeralContainers: arr(ephemeralContainer),
    restartPolicy: str,
    terminationGracePeriodSeconds: nonNeg,
    activeDeadlineSeconds: { t: 'int', min: 1 },
    hostNetwork: bool,
    hostPID: bool,
    hostIPC: bool,
    shareProcessNamespace: bool,
    hostname: str,
    subdomain: str,
    nodeName: str,
    nodeSelector: strMap,
    serviceAccountName: str,
    serviceAccount: str,
    automountServiceAccountToken: bool,
    enableServiceLinks: bool,
    dnsPolicy: str,
    dnsConfig: obj({ nameservers: strArr, searches: strArr, options: arr(obj({ name: str, value: str })) }),
    hostAliases: arr(obj({ ip: str, hostnames: strArr }, ['ip'])),
    securityContext: obj({
      runAsUser: id,
      runAsGroup: id,
      runAsNonRoot: bool,
      supplementalGroups: arr(id),
      fsGroup: id,
      fsGroupChangePolicy: str,
      sysctls: arr(obj({ name: str, value: str }, ['name', 'value'])),
      seccompProfile,
      seLinuxOptions: { t: 'any' },
    }),
    volumes: arr(volume),
    tolerations: { t: 'any' },
    affinity: { t: 'any' },
    schedulerName: str,
    priority: int,
    priorityClassName: str,
    imagePullSecrets: { t: 'any' },
    preemptionPolicy: str,
    topologySpreadConstraints: { t: 'any' },
    readinessGates: { t: 'any' },
    runtimeClassName: str,
    overhead: { t: 'any' },
  },
  ['containers'],
);

/** The building blocks, for the shapes of the workload kinds (kube/kinds/). */
export const SHAPES = {
  str,
  int,
  nonNeg,
  bool,
  strArr,
  strMap,
  obj,
  arr,
  intOrString: { t: 'intOrString' } as Shape,
  any: { t: 'any' } as Shape,
  metadata,
  podSpec,
};

export const POD_SHAPE: Shape = obj({ apiVersion: str, kind: str, metadata, spec: podSpec, status: { t: 'any' } }, ['metadata', 'spec']);
export const CONFIGMAP_SHAPE: Shape = obj({ apiVersion: str, kind: str, metadata, data: strMap, binaryData: strMap, immutable: bool }, ['metadata']);
export const SECRET_SHAPE: Shape = obj({ apiVersion: str, kind: str, metadata, data: strMap, stringData: strMap, type: str, immutable: bool }, ['metadata']);

export interface Finding {
  readonly path: string;
  readonly message: string;
}

const typeName = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' && !Number.isInteger(v) ? 'number' : typeof v === 'number' ? 'integer' : typeof v;

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** Walks `value` against `shape`; type errors go to `errors`, unknown fields to `warnings`. */
export function checkShape(value: unknown, shape: Shape, path: string, errors: Finding[], warnings: Finding[]): void {
  switch (shape.t) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') errors.push({ path, message: `expected string, got ${typeName(value)}` });
      return;
    case 'bool':
      if (typeof value !== 'boolean') errors.push({ path, message: `expected boolean, got ${typeName(value)}` });
      return;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) errors.push({ path, message: `expected integer, got ${typeName(value)}` });
      // Beyond 2^53 a number is no longer exact (and beyond int64 the API server refuses it).
      else if (!Number.isSafeInteger(value))
        errors.push({ path, message: `Invalid value: ${value}: must be between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}` });
      else if (shape.min !== undefined && value < shape.min)
        errors.push({ path, message: `Invalid value: ${value}: must be greater than or equal to ${shape.min}` });
      else if (shape.max !== undefined && value > shape.max)
        errors.push({ path, message: `Invalid value: ${value}: must be less than or equal to ${shape.max}` });
      return;
    case 'intOrString':
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value)))
        errors.push({ path, message: `expected integer or string, got ${typeName(value)}` });
      return;
    case 'arr':
      if (!Array.isArray(value)) {
        errors.push({ path, message: `expected array, got ${typeName(value)}` });
        return;
      }
      value.forEach((item, i) => checkShape(item, shape.of, `${path}[${i}]`, errors, warnings));
      return;
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        errors.push({ path, message: `expected object, got ${typeName(value)}` });
        return;
      }
      for (const [k, v] of Object.entries(value)) checkShape(v, shape.of, join(path, k), errors, warnings);
      return;
    case 'obj': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        errors.push({ path, message: `expected object, got ${typeName(value)}` });
        return;
      }
      const record = value as Record<string, unknown>;
      for (const key of shape.required ?? [])
        if (record[key] === undefined || record[key] === null) errors.push({ path: join(path, key), message: 'Required value' });
      for (const [k, v] of Object.entries(record)) {
        const field = shape.f[k];
        if (!field) warnings.push({ path: join(path, k), message: `unknown field "${join(path, k)}"` });
        else if (v !== null && v !== undefined) checkShape(v, field, join(path, k), errors, warnings);
      }
      return;
    }
  }
}
