// The Pod spec's semantic rules (pkg/apis/core/validation ValidatePodSpec and friends), applied after
// the structural check, so every value here already has the right type.
import type { Finding } from './schema.js';
import { checkDns1123Label, checkDns1123Subdomain, checkPortName } from './names.js';
import { QUANTITY_VALUE_LIMIT, isQuantity, parseQuantity } from './quantity.js';

type Rec = Record<string, unknown>;
const recs = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : []);
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Scalars as text; the structural check already guaranteed their types, anything else is shown as JSON. */
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? `${v}` : (JSON.stringify(v) ?? ''));

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const RESOURCE_NAMES = /^(cpu|memory|ephemeral-storage|hugepages-[0-9A-Za-z]+)$/;
const FIELD_PATHS = new Set([
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'metadata.labels',
  'metadata.annotations',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.podIP',
  'status.podIPs',
  'status.hostIP',
  'status.hostIPs',
]);
const FIELD_SUBSCRIPT = /^metadata\.(labels|annotations)\['[^']+'\]$/;
const HOSTPATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
const VOLUME_SOURCES = ['emptyDir', 'hostPath', 'persistentVolumeClaim', 'configMap', 'secret', 'downwardAPI', 'projected'];

export function validatePodSpec(spec: Rec, errors: Finding[]): void {
  const containers = recs(spec['containers']);
  const inits = recs(spec['initContainers']);
  if (containers.length === 0) errors.push({ path: 'spec.containers', message: 'Required value' });
  const policy = spec['restartPolicy'];
  if (policy !== undefined && !RESTART_POLICIES.includes(text(policy))) {
    errors.push({ path: 'spec.restartPolicy', message: `Unsupported value: ${JSON.stringify(policy)}: supported values: "Always", "OnFailure", "Never"` });
  }
  const volumes = validateVolumes(recs(spec['volumes']), errors);
  const names = new Set<string>();
  const hostPorts = new Set<string>();
  const check = (list: Rec[], field: string, init: boolean): void => {
    list.forEach((c, i) => validateContainer(c, `spec.${field}[${i}]`, { names, hostPorts, volumes, init, hostNetwork: spec['hostNetwork'] === true }, errors));
  };
  check(inits, 'initContainers', true);
  check(containers, 'containers', false);
  recs(spec['ephemeralContainers']).forEach((c, i) =>
    validateContainer(c, `spec.ephemeralContainers[${i}]`, { names, hostPorts: new Set(), volumes, init: false, hostNetwork: false }, errors),
  );
  if (typeof spec['hostname'] === 'string') checkDns1123Label(spec['hostname'], 'spec.hostname', errors);
  if (typeof spec['subdomain'] === 'string') checkDns1123Label(spec['subdomain'], 'spec.subdomain', errors);
  const dnsPolicy = spec['dnsPolicy'];
  if (dnsPolicy !== undefined && !['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'].includes(text(dnsPolicy))) {
    errors.push({
      path: 'spec.dnsPolicy',
      message: `Unsupported value: ${JSON.stringify(dnsPolicy)}: supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"`,
    });
  }
  if (spec['shareProcessNamespace'] === true && spec['hostPID'] === true) {
    errors.push({ path: 'spec.shareProcessNamespace', message: 'Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled' });
  }
}

interface ContainerContext {
  readonly names: Set<string>;
  readonly hostPorts: Set<string>;
  readonly volumes: ReadonlySet<string>;
  readonly init: boolean;
  readonly hostNetwork: boolean;
}

function validateContainer(c: Rec, path: string, ctx: ContainerContext, errors: Finding[]): void {
  const name = c['name'];
  checkDns1123Label(name, `${path}.name`, errors);
  if (typeof name === 'string' && name !== '') {
    if (ctx.names.has(name)) errors.push({ path: `${path}.name`, message: `Duplicate value: ${JSON.stringify(name)}` });
    ctx.names.add(name);
  }
  if (typeof c['image'] !== 'string' || c['image'].trim() === '') errors.push({ path: `${path}.image`, message: 'Required value' });
  const pull = c['imagePullPolicy'];
  if (pull !== undefined && !PULL_POLICIES.includes(text(pull)))
    errors.push({
      path: `${path}.imagePullPolicy`,
      message: `Unsupported value: ${JSON.stringify(pull)}: supported values: "Always", "IfNotPresent", "Never"`,
    });
  const restart = c['restartPolicy'];
  if (restart !== undefined) {
    if (!ctx.init) errors.push({ path: `${path}.restartPolicy`, message: 'Forbidden: may not be set for non-init containers' });
    else if (restart !== 'Always')
      errors.push({ path: `${path}.restartPolicy`, message: `Unsupported value: ${JSON.stringify(restart)}: supported values: "Always"` });
  }
  validatePorts(recs(c['ports']), `${path}.ports`, ctx, errors);
  validateEnv(c, path, errors);
  validateResources(c['resources'], `${path}.resources`, errors);
  const privileged = isRec(c['securityContext']) && c['securityContext']['privileged'] === true;
  validateMounts(recs(c['volumeMounts']), `${path}.volumeMounts`, ctx.volumes, privileged, errors);
  const sidecar = ctx.init && restart === 'Always';
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    if (c[probe] === undefined) continue;
    if (ctx.init && !sidecar) errors.push({ path: `${path}.${probe}`, message: 'Forbidden: may not be set for init containers without restartPolicy=Always' });
    validateProbe(c[probe], `${path}.${probe}`, probe !== 'readinessProbe', errors);
  }
  const lifecycle = c['lifecycle'];
  if (isRec(lifecycle)) {
    for (const hook of ['postStart', 'preStop']) {
      const handler = lifecycle[hook];
      if (!isRec(handler)) continue;
      const kinds = ['exec', 'httpGet', 'tcpSocket', 'sleep'].filter((h) => handler[h] !== undefined);
      if (kinds.length === 0) errors.push({ path: `${path}.lifecycle.${hook}`, message: 'Required value: must specify a handler type' });
      if (kinds.length > 1) errors.push({ path: `${path}.lifecycle.${hook}`, message: 'Forbidden: may not specify more than 1 handler type' });
    }
  }
  const tmp = c['terminationMessagePolicy'];
  if (tmp !== undefined && tmp !== 'File' && tmp !== 'FallbackToLogsOnError')
    errors.push({
      path: `${path}.terminationMessagePolicy`,
      message: `Unsupported value: ${JSON.stringify(tmp)}: supported values: "File", "FallbackToLogsOnError"`,
    });
}

function validatePorts(ports: Rec[], path: string, ctx: ContainerContext, errors: Finding[]): void {
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `${path}[${i}]`;
    const cp = p['containerPort'] as number;
    if (cp < 1 || cp > 65535) errors.push({ path: `${at}.containerPort`, message: `Invalid value: ${cp}: must be between 1 and 65535, inclusive` });
    const hp = p['hostPort'];
    if (typeof hp === 'number' && hp !== 0) {
      if (hp < 1 || hp > 65535) errors.push({ path: `${at}.hostPort`, message: `Invalid value: ${hp}: must be between 1 and 65535, inclusive` });
      if (ctx.hostNetwork && hp !== cp)
        errors.push({ path: `${at}.containerPort`, message: 'Invalid value: must match `hostPort` when `hostNetwork` is true' });
      const key = `${text(p['protocol'] ?? 'TCP')}/${text(p['hostIP'] ?? '')}/${hp}`;
      if (ctx.hostPorts.has(key)) errors.push({ path: `${at}.hostPort`, message: `Duplicate value: "${key}"` });
      ctx.hostPorts.add(key);
    }
    const protocol = p['protocol'];
    if (protocol !== undefined && !PROTOCOLS.includes(text(protocol)))
      errors.push({ path: `${at}.protocol`, message: `Unsupported value: ${JSON.stringify(protocol)}: supported values: "SCTP", "TCP", "UDP"` });
    const name = p['name'];
    if (typeof name === 'string') {
      checkPortName(name, `${at}.name`, errors);
      if (names.has(name)) errors.push({ path: `${at}.name`, message: `Duplicate value: ${JSON.stringify(name)}` });
      names.add(name);
    }
  });
}

function validateEnv(c: Rec, path: string, errors: Finding[]): void {
  recs(c['env']).forEach((e, i) => {
    const at = `${path}.env[${i}]`;
    if (!ENV_NAME.test(text(e['name'])))
      errors.push({
        path: `${at}.name`,
        message: `Invalid value: ${JSON.stringify(e['name'])}: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit`,
      });
    const from = e['valueFrom'];
    if (!isRec(from)) return;
    if (e['value'] !== undefined && e['value'] !== '')
      errors.push({ path: `${at}.valueFrom`, message: 'Invalid value: may not be specified when `value` is not empty' });
    const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => from[k] !== undefined);
    if (sources.length === 0)
      errors.push({
        path: `${at}.valueFrom`,
        message: 'Required value: must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      });
    if (sources.length > 1) errors.push({ path: `${at}.valueFrom`, message: 'Invalid value: may not have more than one field specified at a time' });
    const fieldRef = from['fieldRef'];
    if (isRec(fieldRef)) {
      const fp = text(fieldRef['fieldPath']);
      if (!FIELD_PATHS.has(fp) && !FIELD_SUBSCRIPT.test(fp))
        errors.push({
          path: `${at}.valueFrom.fieldRef.fieldPath`,
          message: `Unsupported value: ${JSON.stringify(fp)}: supported values: ${[...FIELD_PATHS].map((f) => `"${f}"`).join(', ')}`,
        });
    }
    const rf = from['resourceFieldRef'];
    if (isRec(rf) && !/^(limits|requests)\.(cpu|memory|ephemeral-storage)$/.test(text(rf['resource']))) {
      errors.push({
        path: `${at}.valueFrom.resourceFieldRef.resource`,
        message: `Unsupported value: ${JSON.stringify(rf['resource'])}: supported values: "limits.cpu", "limits.memory", "requests.cpu", "requests.memory", …`,
      });
    }
  });
  recs(c['envFrom']).forEach((e, i) => {
    const sources = ['configMapRef', 'secretRef'].filter((k) => e[k] !== undefined);
    if (sources.length !== 1) errors.push({ path: `${path}.envFrom[${i}]`, message: 'Invalid value: must specify one of: `configMapRef` or `secretRef`' });
  });
}

function validateResources(resources: unknown, path: string, errors: Finding[]): void {
  if (!isRec(resources)) return;
  const values: Record<string, Record<string, number>> = { requests: {}, limits: {} };
  for (const kind of ['requests', 'limits'] as const) {
    const map = resources[kind];
    if (!isRec(map)) continue;
    for (const [name, raw] of Object.entries(map)) {
      const at = `${path}.${kind}.${name}`;
      if (!RESOURCE_NAMES.test(name)) {
        errors.push({
          path: at,
          message: `Invalid value: ${JSON.stringify(name)}: must be a standard resource type (cpu, memory, ephemeral-storage, hugepages-<size>)`,
        });
        continue;
      }
      const value = checkQuantity(raw, at, name === 'cpu', errors);
      if (value !== undefined) (values[kind] ?? {})[name] = value;
    }
  }
  for (const [name, request] of Object.entries(values['requests'] ?? {})) {
    const limit = values['limits']?.[name];
    if (limit !== undefined && request > limit) {
      errors.push({
        path: `${path}.requests.${name}`,
        message: `Invalid value: ${JSON.stringify(text((resources['requests'] as Rec)[name]))}: must be less than or equal to ${name} limit of ${text((resources['limits'] as Rec)[name])}`,
      });
    }
  }
}

/**
 * A non-negative quantity whose value fits an int64 (bytes, or millicores for cpu), as the kubelet needs
 * it; the value in base units, or undefined after reporting the problem at `path`.
 */
function checkQuantity(raw: unknown, path: string, cpu: boolean, errors: Finding[]): number | undefined {
  const quantity = text(raw);
  if (!isQuantity(quantity)) {
    errors.push({ path, message: `Invalid value: ${JSON.stringify(quantity)}: must be a valid quantity` });
    return undefined;
  }
  // parseQuantity refuses what does not fit an int64 in base units; cpu must fit it in millicores.
  const value = quantityValueOrNaN(quantity);
  if (Number.isNaN(value) || Math.abs(cpu ? value * 1000 : value) >= QUANTITY_VALUE_LIMIT) {
    errors.push({
      path,
      message: `Invalid value: ${JSON.stringify(quantity)}: must be a valid quantity: too large (at most 2^63-1 ${cpu ? 'millicores' : 'base units'})`,
    });
    return undefined;
  }
  if (value < 0) {
    errors.push({ path, message: `Invalid value: ${JSON.stringify(quantity)}: must be greater than or equal to 0` });
    return undefined;
  }
  return value;
}

function quantityValueOrNaN(quantity: string): number {
  try {
    return parseQuantity(quantity).value;
  } catch {
    return Number.NaN;
  }
}

function validateVolumes(volumes: Rec[], errors: Finding[]): Set<string> {
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const at = `spec.volumes[${i}]`;
    const name = v['name'];
    checkDns1123Label(name, `${at}.name`, errors);
    if (typeof name === 'string') {
      if (names.has(name)) errors.push({ path: `${at}.name`, message: `Duplicate value: ${JSON.stringify(name)}` });
      names.add(name);
    }
    const sources = VOLUME_SOURCES.filter((s) => v[s] !== undefined);
    if (sources.length === 0) errors.push({ path: at, message: 'Required value: must specify a volume type' });
    if (sources.length > 1) errors.push({ path: at, message: `Forbidden: may not specify more than 1 volume type (found ${sources.join(', ')})` });
    const hostPath = v['hostPath'];
    if (isRec(hostPath)) {
      if (!text(hostPath['path']).startsWith('/')) errors.push({ path: `${at}.hostPath.path`, message: 'Invalid value: must be an absolute path' });
      if (text(hostPath['path']).split('/').includes('..')) errors.push({ path: `${at}.hostPath.path`, message: "Invalid value: must not contain '..'" });
      const type = hostPath['type'];
      if (type !== undefined && !HOSTPATH_TYPES.includes(text(type)))
        errors.push({
          path: `${at}.hostPath.type`,
          message: `Unsupported value: ${JSON.stringify(type)}: supported values: ${HOSTPATH_TYPES.map((t) => `"${t}"`).join(', ')}`,
        });
    }
    const claim = v['persistentVolumeClaim'];
    if (isRec(claim)) checkDns1123Subdomain(claim['claimName'], `${at}.persistentVolumeClaim.claimName`, errors);
    const emptyDir = v['emptyDir'];
    if (isRec(emptyDir)) {
      if (emptyDir['medium'] !== undefined && emptyDir['medium'] !== '' && emptyDir['medium'] !== 'Memory')
        errors.push({ path: `${at}.emptyDir.medium`, message: `Unsupported value: ${JSON.stringify(emptyDir['medium'])}: supported values: "", "Memory"` });
      if (emptyDir['sizeLimit'] !== undefined) checkQuantity(emptyDir['sizeLimit'], `${at}.emptyDir.sizeLimit`, false, errors);
    }
    for (const source of ['configMap', 'secret', 'downwardAPI']) {
      const s = v[source];
      if (!isRec(s)) continue;
      const mode = s['defaultMode'];
      if (typeof mode === 'number' && (mode < 0 || mode > 0o777))
        errors.push({ path: `${at}.${source}.defaultMode`, message: `Invalid value: ${mode}: must be a number between 0 and 0777 (octal), both inclusive` });
      recs(s['items']).forEach((item, j) => checkRelativePath(item['path'], `${at}.${source}.items[${j}].path`, errors));
      if (source === 'configMap' && s['name'] !== undefined) checkDns1123Subdomain(s['name'], `${at}.configMap.name`, errors);
      if (source === 'secret' && s['secretName'] !== undefined) checkDns1123Subdomain(s['secretName'], `${at}.secret.secretName`, errors);
    }
  });
  return names;
}

function checkRelativePath(value: unknown, path: string, errors: Finding[]): void {
  const relative = text(value);
  if (relative === '' || relative.startsWith('/')) errors.push({ path, message: 'Invalid value: must be a relative path' });
  else if (relative.split('/').includes('..')) errors.push({ path, message: "Invalid value: must not contain '..'" });
  if (relative.includes('\0')) errors.push({ path, message: 'Invalid value: must not contain NUL' });
}

function validateMounts(mounts: Rec[], path: string, volumes: ReadonlySet<string>, privileged: boolean, errors: Finding[]): void {
  const paths = new Set<string>();
  mounts.forEach((m, i) => {
    const at = `${path}[${i}]`;
    const name = text(m['name']);
    if (!volumes.has(name)) errors.push({ path: `${at}.name`, message: `Not found: ${JSON.stringify(name)}` });
    const mountPath = text(m['mountPath']);
    if (!mountPath.startsWith('/')) errors.push({ path: `${at}.mountPath`, message: `Invalid value: ${JSON.stringify(mountPath)}: must be an absolute path` });
    if (paths.has(mountPath)) errors.push({ path: `${at}.mountPath`, message: `Invalid value: ${JSON.stringify(mountPath)}: must be unique` });
    paths.add(mountPath);
    if (m['subPath'] !== undefined && m['subPath'] !== '') checkRelativePath(m['subPath'], `${at}.subPath`, errors);
    if (m['subPathExpr'] !== undefined && m['subPathExpr'] !== '') {
      if (m['subPath'] !== undefined && m['subPath'] !== '')
        errors.push({ path: `${at}.subPathExpr`, message: 'Invalid value: subPathExpr and subPath are mutually exclusive' });
      checkRelativePath(m['subPathExpr'], `${at}.subPathExpr`, errors);
    }
    const propagation = m['mountPropagation'];
    if (propagation !== undefined && !['None', 'HostToContainer', 'Bidirectional'].includes(text(propagation))) {
      errors.push({
        path: `${at}.mountPropagation`,
        message: `Unsupported value: ${JSON.stringify(propagation)}: supported values: "Bidirectional", "HostToContainer", "None"`,
      });
    } else if (propagation === 'Bidirectional' && !privileged) {
      errors.push({ path: `${at}.mountPropagation`, message: 'Forbidden: Bidirectional mount propagation is available only to privileged containers' });
    }
  });
}

function validateProbe(probe: unknown, path: string, singleSuccess: boolean, errors: Finding[]): void {
  if (!isRec(probe)) return;
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((h) => probe[h] !== undefined);
  if (handlers.length === 0) errors.push({ path, message: 'Required value: must specify a handler type' });
  if (handlers.length > 1) errors.push({ path, message: 'Forbidden: may not specify more than 1 handler type' });
  if (singleSuccess && probe['successThreshold'] !== undefined && probe['successThreshold'] !== 1) {
    errors.push({ path: `${path}.successThreshold`, message: `Invalid value: ${text(probe['successThreshold'])}: must be 1` });
  }
  for (const field of ['periodSeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold']) {
    const v = probe[field];
    if (typeof v === 'number' && v < 1) errors.push({ path: `${path}.${field}`, message: `Invalid value: ${v}: must be greater than or equal to 1` });
  }
  for (const h of ['httpGet', 'tcpSocket']) {
    const handler = probe[h];
    if (!isRec(handler)) continue;
    const port = handler['port'];
    if (typeof port === 'number' && (port < 1 || port > 65535))
      errors.push({ path: `${path}.${h}.port`, message: `Invalid value: ${port}: must be between 1 and 65535, inclusive` });
    if (typeof port === 'string') checkPortName(port, `${path}.${h}.port`, errors);
  }
}
