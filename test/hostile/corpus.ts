// A corpus of hostile and broken manifests (issue 6, "hostile and broken input"): every case must be
// refused as a whole, with an error that names the field path (or, for input that is not a manifest at
// all, says what is wrong with it). Broad cases are generated: every kind of field × wrong types, names ×
// invalid names, quantities × absurd values; the special ones (YAML bombs, deep nesting, binary garbage,
// multi-document files with one broken document, huge inputs) are written by hand.
import { stringify } from 'yaml';

export interface CorpusCase {
  /** Unique, usable as a file name. */
  readonly id: string;
  /** The file's content: YAML or JSON text, or raw bytes for garbage that is not UTF-8. */
  readonly content: string | Uint8Array;
  /** Every one of these must appear in the error message: the field path first, then what is wrong. */
  readonly expect: readonly string[];
}

/** What the CLI sends for a file: it reads it as UTF-8. */
export function caseText(c: CorpusCase): string {
  return typeof c.content === 'string' ? c.content : Buffer.from(c.content).toString('utf8');
}

export function caseBytes(c: CorpusCase): Buffer {
  return typeof c.content === 'string' ? Buffer.from(c.content, 'utf8') : Buffer.from(c.content);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * A valid pod that has every field the generated cases break, so each case differs from a valid manifest
 * in exactly one place. Never applied as is (it would be created); the test checks it validates.
 */
export function basePod(): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'hostile',
      namespace: 'default',
      generateName: 'hostile-',
      uid: 'b6f5d1d2-0000-4000-8000-000000000001',
      generation: 1,
      labels: { app: 'hostile' },
      annotations: { note: 'corpus' },
      finalizers: ['example.com/keep'],
    },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      activeDeadlineSeconds: 600,
      priority: 0,
      hostNetwork: false,
      hostPID: false,
      hostIPC: false,
      shareProcessNamespace: false,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      hostname: 'hostile',
      subdomain: 'corpus',
      dnsPolicy: 'ClusterFirst',
      dnsConfig: { nameservers: ['10.0.0.10'], searches: ['example.com'], options: [{ name: 'ndots', value: '2' }] },
      hostAliases: [{ ip: '127.0.0.2', hostnames: ['alias.local'] }],
      nodeSelector: { disk: 'ssd' },
      serviceAccountName: 'default',
      nodeName: 'node',
      schedulerName: 'default-scheduler',
      priorityClassName: 'normal',
      runtimeClassName: 'runc',
      securityContext: {
        runAsUser: 1000,
        runAsGroup: 1000,
        runAsNonRoot: true,
        fsGroup: 2000,
        supplementalGroups: [3000],
        sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
        seccompProfile: { type: 'RuntimeDefault' },
      },
      volumes: [
        { name: 'scratch', emptyDir: { medium: '', sizeLimit: '64Mi' } },
        { name: 'host', hostPath: { path: '/var/tmp', type: 'Directory' } },
        { name: 'config', configMap: { name: 'settings', items: [{ key: 'a', path: 'a.conf', mode: 0o644 }], defaultMode: 0o644, optional: true } },
      ],
      initContainers: [{ name: 'init', image: 'busybox', command: ['true'] }],
      containers: [
        {
          name: 'main',
          image: 'busybox',
          imagePullPolicy: 'IfNotPresent',
          command: ['sleep'],
          args: ['3600'],
          workingDir: '/',
          ports: [{ name: 'http', containerPort: 8080, hostPort: 0, hostIP: '127.0.0.1', protocol: 'TCP' }],
          env: [
            { name: 'GREETING', value: 'hello' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'settings', optional: true } }],
          resources: { requests: { cpu: '100m', memory: '32Mi' }, limits: { cpu: '1', memory: '64Mi', 'ephemeral-storage': '1Gi' } },
          volumeMounts: [
            { name: 'scratch', mountPath: '/scratch', subPath: 'sub', readOnly: false, mountPropagation: 'None' },
            { name: 'config', mountPath: '/config', readOnly: true },
          ],
          livenessProbe: {
            httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' },
            initialDelaySeconds: 1,
            periodSeconds: 10,
            timeoutSeconds: 1,
            successThreshold: 1,
            failureThreshold: 3,
            terminationGracePeriodSeconds: 5,
          },
          readinessProbe: { exec: { command: ['true'] }, periodSeconds: 5 },
          startupProbe: { grpc: { port: 9090, service: 'health' } },
          lifecycle: { preStop: { sleep: { seconds: 1 } }, postStart: { exec: { command: ['true'] } } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          securityContext: {
            runAsUser: 1000,
            runAsGroup: 1000,
            runAsNonRoot: true,
            privileged: false,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
            procMount: 'Default',
            seccompProfile: { type: 'RuntimeDefault' },
          },
          stdin: false,
          stdinOnce: false,
          tty: false,
        },
      ],
    },
  };
}

const yaml = (value: unknown): string => stringify(value, { version: '1.1', lineWidth: 0 });

/** `spec.containers[0].ports[0].name` → ['spec', 'containers', 0, 'ports', 0, 'name']. */
function parsePath(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) parts.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? ''));
  return parts;
}

/** A copy of `root` with the value at `path` replaced (`undefined`: removed); missing parents are created. */
export function withValue(root: JsonObject, path: string, value: Json | undefined): JsonObject {
  const copy = structuredClone(root);
  const parts = parsePath(path);
  let node: Json = copy;
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    const container = node as Record<string | number, Json>;
    if (last) {
      if (value === undefined) {
        if (Array.isArray(container) && typeof part === 'number') container.splice(part, 1);
        else delete container[part];
      } else container[part] = value;
      return;
    }
    const next = parts[i + 1];
    if (container[part] === undefined || container[part] === null || typeof container[part] !== 'object') container[part] = typeof next === 'number' ? [] : {};
    node = container[part];
  });
  return copy;
}

const podYaml = (path: string, value: Json | undefined): string => yaml(withValue(basePod(), path, value));

const slug = (text: string): string =>
  text
    .replace(/\[(\d+)\]/g, '$1')
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120);

// ---------------------------------------------------------------------------------------------------
// Generated: wrong types for every kind of field.

type FieldKind = 'string' | 'integer' | 'boolean' | 'array' | 'object' | 'quantity';

const C0 = 'spec.containers[0]';
const FIELDS: Readonly<Record<FieldKind, readonly string[]>> = {
  string: [
    'metadata.name',
    'metadata.namespace',
    'metadata.generateName',
    'metadata.uid',
    'metadata.labels.app',
    'metadata.annotations.note',
    'spec.restartPolicy',
    'spec.hostname',
    'spec.dnsPolicy',
    'spec.serviceAccountName',
    'spec.nodeName',
    'spec.runtimeClassName',
    'spec.nodeSelector.disk',
    'spec.hostAliases[0].ip',
    'spec.dnsConfig.nameservers[0]',
    'spec.securityContext.sysctls[0].value',
    `${C0}.name`,
    `${C0}.image`,
    `${C0}.imagePullPolicy`,
    `${C0}.workingDir`,
    `${C0}.command[0]`,
    `${C0}.args[0]`,
    `${C0}.ports[0].name`,
    `${C0}.ports[0].protocol`,
    `${C0}.env[0].name`,
    `${C0}.env[0].value`,
    `${C0}.env[1].valueFrom.fieldRef.fieldPath`,
    `${C0}.volumeMounts[0].mountPath`,
    `${C0}.volumeMounts[0].subPath`,
    `${C0}.livenessProbe.httpGet.path`,
    `${C0}.securityContext.capabilities.add[0]`,
    `${C0}.terminationMessagePolicy`,
    'spec.initContainers[0].image',
    'spec.volumes[0].name',
    'spec.volumes[1].hostPath.path',
    'spec.volumes[2].configMap.name',
  ],
  integer: [
    'spec.terminationGracePeriodSeconds',
    'spec.activeDeadlineSeconds',
    'spec.priority',
    'metadata.generation',
    'spec.securityContext.runAsUser',
    'spec.securityContext.fsGroup',
    'spec.securityContext.supplementalGroups[0]',
    `${C0}.ports[0].containerPort`,
    `${C0}.ports[0].hostPort`,
    `${C0}.securityContext.runAsUser`,
    `${C0}.securityContext.runAsGroup`,
    `${C0}.livenessProbe.periodSeconds`,
    `${C0}.livenessProbe.failureThreshold`,
    `${C0}.livenessProbe.terminationGracePeriodSeconds`,
    `${C0}.startupProbe.grpc.port`,
    `${C0}.lifecycle.preStop.sleep.seconds`,
    'spec.volumes[2].configMap.defaultMode',
    'spec.volumes[2].configMap.items[0].mode',
  ],
  boolean: [
    'spec.hostNetwork',
    'spec.hostPID',
    'spec.shareProcessNamespace',
    'spec.automountServiceAccountToken',
    'spec.securityContext.runAsNonRoot',
    `${C0}.tty`,
    `${C0}.stdin`,
    `${C0}.securityContext.privileged`,
    `${C0}.securityContext.readOnlyRootFilesystem`,
    `${C0}.securityContext.allowPrivilegeEscalation`,
    `${C0}.volumeMounts[1].readOnly`,
    'spec.volumes[2].configMap.optional',
  ],
  array: [
    'spec.containers',
    'spec.initContainers',
    'spec.volumes',
    `${C0}.command`,
    `${C0}.args`,
    `${C0}.ports`,
    `${C0}.env`,
    `${C0}.envFrom`,
    `${C0}.volumeMounts`,
    `${C0}.securityContext.capabilities.drop`,
    'spec.securityContext.supplementalGroups',
    'spec.securityContext.sysctls',
    'spec.hostAliases',
    'spec.dnsConfig.nameservers',
    'spec.volumes[2].configMap.items',
    'metadata.finalizers',
    `${C0}.readinessProbe.exec.command`,
  ],
  object: [
    'metadata',
    'spec',
    C0,
    'spec.volumes[0]',
    `${C0}.ports[0]`,
    `${C0}.env[0]`,
    `${C0}.resources`,
    `${C0}.securityContext`,
    `${C0}.lifecycle`,
    `${C0}.livenessProbe`,
    `${C0}.livenessProbe.httpGet`,
    `${C0}.env[1].valueFrom`,
    'spec.securityContext',
    'spec.dnsConfig',
    'spec.volumes[0].emptyDir',
    'spec.volumes[1].hostPath',
    'spec.volumes[2].configMap',
    'metadata.labels',
    'metadata.annotations',
    'spec.nodeSelector',
    `${C0}.resources.limits`,
  ],
  quantity: [`${C0}.resources.limits.memory`, `${C0}.resources.requests.cpu`, 'spec.volumes[0].emptyDir.sizeLimit', `${C0}.livenessProbe.httpGet.port`],
};

/** Values of the wrong type for each kind, and the type name the error reports for them. */
const WRONG: Readonly<Record<FieldKind, readonly [string, Json][]>> = {
  string: [
    ['integer', 42],
    ['boolean', true],
    ['array', ['x']],
    ['object', { a: 'b' }],
  ],
  integer: [
    ['string', '30'],
    ['number', 1.5],
    ['boolean', true],
    ['array', [1]],
    ['object', { a: 1 }],
    ['number', Infinity],
  ],
  boolean: [
    ['string', 'true'],
    ['integer', 1],
    ['array', [true]],
  ],
  array: [
    ['string', 'x'],
    ['integer', 5],
    ['object', { a: 1 }],
  ],
  object: [
    ['string', 'x'],
    ['integer', 5],
    ['array', [1]],
  ],
  quantity: [
    ['boolean', true],
    ['array', ['1']],
    ['object', { a: 1 }],
  ],
};

const EXPECTED_TYPE: Readonly<Record<FieldKind, string>> = {
  string: 'expected string',
  integer: 'expected integer',
  boolean: 'expected boolean',
  array: 'expected array',
  object: 'expected object',
  quantity: 'expected integer or string',
};

function wrongTypeCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const kind of Object.keys(FIELDS) as FieldKind[]) {
    for (const path of FIELDS[kind]) {
      for (const [got, value] of WRONG[kind]) {
        out.push({ id: `type-${slug(path)}-${got}-${out.length}`, content: podYaml(path, value), expect: [`${path}: ${EXPECTED_TYPE[kind]}, got ${got}`] });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Generated: missing required fields.

const REQUIRED = [
  'metadata',
  'metadata.name',
  'spec',
  'spec.containers',
  `${C0}.name`,
  'spec.initContainers[0].name',
  'spec.volumes[0].name',
  `${C0}.ports[0].containerPort`,
  `${C0}.env[0].name`,
  `${C0}.volumeMounts[0].name`,
  `${C0}.volumeMounts[0].mountPath`,
  `${C0}.livenessProbe.httpGet.port`,
  'spec.volumes[1].hostPath.path',
  'spec.volumes[2].configMap.items[0].key',
  'spec.volumes[2].configMap.items[0].path',
  'spec.securityContext.sysctls[0].name',
  'spec.securityContext.sysctls[0].value',
  'spec.hostAliases[0].ip',
  `${C0}.lifecycle.preStop.sleep.seconds`,
  `${C0}.startupProbe.grpc.port`,
  `${C0}.env[1].valueFrom.fieldRef.fieldPath`,
  `${C0}.securityContext.seccompProfile.type`,
];

function requiredCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const path of REQUIRED) {
    out.push({ id: `missing-${slug(path)}`, content: podYaml(path, undefined), expect: [`${path}: Required value`] });
    out.push({ id: `null-${slug(path)}`, content: podYaml(path, null), expect: [`${path}: Required value`] });
  }
  // Present but empty or blank: still missing.
  out.push({ id: 'empty-containers', content: podYaml('spec.containers', []), expect: ['spec.containers: Required value'] });
  for (const [i, image] of ['', '   ', '\t'].entries()) {
    out.push({ id: `blank-image-${i}`, content: podYaml(`${C0}.image`, image), expect: [`${C0}.image: Required value`] });
  }
  out.push({ id: 'missing-image', content: podYaml(`${C0}.image`, undefined), expect: [`${C0}.image: Required value`] });
  out.push({ id: 'missing-init-image', content: podYaml('spec.initContainers[0].image', undefined), expect: ['spec.initContainers[0].image: Required value'] });
  out.push({ id: 'empty-name', content: podYaml('metadata.name', ''), expect: ['metadata.name: Required value'] });
  out.push({ id: 'missing-apiversion', content: podYaml('apiVersion', undefined), expect: ['apiVersion: Unsupported value'] });
  out.push({ id: 'missing-kind', content: podYaml('kind', undefined), expect: ['kind: Unsupported value'] });
  out.push({
    id: 'volume-without-source',
    content: podYaml('spec.volumes[0].emptyDir', undefined),
    expect: ['spec.volumes[0]: Required value: must specify a volume type'],
  });
  out.push({
    id: 'probe-without-handler',
    content: podYaml(`${C0}.readinessProbe.exec`, undefined),
    expect: [`${C0}.readinessProbe: Required value: must specify a handler type`],
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Generated: absurd quantities.

const BAD_QUANTITIES: readonly [string, string][] = [
  ['12Qi', 'must be a valid quantity'],
  ['-1', 'must be greater than or equal to 0'],
  ['-64Mi', 'must be greater than or equal to 0'],
  ['1e400', 'too large'],
  ['99999999999999999999Ei', 'too large'],
  ['9223372036854775808', 'too large'],
  ['16Ei', 'too large'],
  ['abc', 'must be a valid quantity'],
  ['1.2.3', 'must be a valid quantity'],
  ['', 'must be a valid quantity'],
  ['0x10', 'must be a valid quantity'],
  ['1 Gi', 'must be a valid quantity'],
  ['1mi', 'must be a valid quantity'],
  ['NaN', 'must be a valid quantity'],
  ['Infinity', 'must be a valid quantity'],
  ['1'.repeat(80), 'must be a valid quantity'],
];

function quantityCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  const fields = [
    `${C0}.resources.limits.memory`,
    `${C0}.resources.requests.cpu`,
    `${C0}.resources.limits.ephemeral-storage`,
    'spec.volumes[0].emptyDir.sizeLimit',
  ];
  for (const path of fields) {
    for (const [q, why] of BAD_QUANTITIES) {
      // A request must stay below its limit in the base pod: drop the limit when breaking a request.
      let pod = withValue(basePod(), path, q);
      if (path.includes('.requests.')) pod = withValue(pod, path.replace('.requests.', '.limits.'), undefined);
      out.push({ id: `quantity-${slug(path)}-${out.length}`, content: yaml(pod), expect: [`${path}: Invalid value: ${JSON.stringify(q)}`, why] });
    }
  }
  // cpu must fit an int64 in millicores; memory in bytes.
  out.push({
    id: 'quantity-cpu-millicores-overflow',
    content: podYaml(`${C0}.resources.limits.cpu`, '10000000000000000'),
    expect: [`${C0}.resources.limits.cpu: Invalid value: "10000000000000000"`, 'too large'],
  });
  out.push({
    id: 'quantity-unquoted-huge-number',
    content: podYaml(`${C0}.resources.limits.memory`, 1e20),
    expect: [`${C0}.resources.limits.memory: Invalid value: "100000000000000000000"`, 'too large'],
  });
  out.push({
    id: 'quantity-unknown-resource',
    content: podYaml(`${C0}.resources.limits.gpu`, '1'),
    expect: [`${C0}.resources.limits.gpu: Invalid value: "gpu"`],
  });
  out.push({
    id: 'quantity-request-over-limit',
    content: podYaml(`${C0}.resources.requests.memory`, '1Gi'),
    expect: [`${C0}.resources.requests.memory: Invalid value: "1Gi": must be less than or equal to memory limit`],
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Generated: invalid names, namespaces, container, volume, port and env var names; duplicates.

const NUL = '\0';
const BAD_OBJECT_NAMES: readonly string[] = [
  '../x',
  '..',
  '.',
  'a/b',
  '/etc/passwd',
  `a${NUL}b`,
  'UPPER',
  'Mixed-Case',
  'a'.repeat(254),
  '-a',
  'a-',
  'a..b',
  'a_b',
  'a b',
  'ä',
  'a\nb',
  'x'.repeat(100_000),
  '%2e%2e',
  'a:b',
  '*',
];
const BAD_LABEL_NAMES: readonly string[] = ['../x', 'a.b', 'a/b', `a${NUL}b`, 'UPPER', 'a'.repeat(64), '-a', 'a_b', 'a b', '..'];

function nameCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  BAD_OBJECT_NAMES.forEach((name, i) => out.push({ id: `name-pod-${i}`, content: podYaml('metadata.name', name), expect: ['metadata.name: Invalid value'] }));
  BAD_LABEL_NAMES.forEach((ns, i) =>
    out.push({ id: `name-namespace-${i}`, content: podYaml('metadata.namespace', ns), expect: ['metadata.namespace: Invalid value'] }),
  );
  out.push({ id: 'name-namespace-empty', content: podYaml('metadata.namespace', ''), expect: ['metadata.namespace: Required value'] });
  BAD_LABEL_NAMES.forEach((name, i) => out.push({ id: `name-container-${i}`, content: podYaml(`${C0}.name`, name), expect: [`${C0}.name: Invalid value`] }));
  BAD_LABEL_NAMES.forEach((name, i) => {
    // The mount follows the volume's new name, so only the name itself is wrong.
    const pod = withValue(withValue(basePod(), 'spec.volumes[0].name', name), `${C0}.volumeMounts[0].name`, name);
    out.push({ id: `name-volume-${i}`, content: yaml(pod), expect: ['spec.volumes[0].name: Invalid value'] });
  });
  for (const [i, port] of ['HTTP', 'a--b', 'a'.repeat(16), '123', '-web', 'web_1', `w${NUL}`].entries()) {
    out.push({ id: `name-port-${i}`, content: podYaml(`${C0}.ports[0].name`, port), expect: [`${C0}.ports[0].name: Invalid value`] });
  }
  for (const [i, env] of ['1ABC', 'A=B', '', 'A B', `A${NUL}B`, 'Ä', '$X', 'a\nb'].entries()) {
    out.push({ id: `name-env-${i}`, content: podYaml(`${C0}.env[0].name`, env), expect: [`${C0}.env[0].name: Invalid value`] });
  }
  out.push({ id: 'name-hostname', content: podYaml('spec.hostname', 'Not_A_Host'), expect: ['spec.hostname: Invalid value'] });
  out.push({
    id: 'name-configmap-ref',
    content: podYaml('spec.volumes[2].configMap.name', '../etc'),
    expect: ['spec.volumes[2].configMap.name: Invalid value'],
  });
  out.push({ id: 'label-key-bad', content: podYaml('metadata.labels', { 'a b': 'x' }), expect: ['metadata.labels["a b"]: Invalid value'] });
  out.push({ id: 'label-key-prefix-bad', content: podYaml('metadata.labels', { 'UP/x': 'x' }), expect: ['metadata.labels["UP/x"]: Invalid value'] });
  out.push({ id: 'label-value-long', content: podYaml('metadata.labels.app', 'v'.repeat(64)), expect: ['metadata.labels["app"]: Invalid value'] });
  out.push({
    id: 'label-key-proto',
    content: podYaml('metadata.labels', JSON.parse('{"__proto__": "x"}') as Json),
    expect: ['metadata.labels["__proto__"]: Invalid value'],
  });
  out.push({
    id: 'annotation-key-bad',
    content: podYaml('metadata.annotations', { '../../etc': 'x' }),
    expect: ['metadata.annotations["../../etc"]: Invalid value'],
  });
  return out;
}

function duplicateCases(): CorpusCase[] {
  const pod = basePod();
  const main = (pod['spec'] as JsonObject)['containers'] as JsonObject[];
  const first = main[0] as JsonObject;
  const second: JsonObject = { ...first, ports: [{ containerPort: 9000 }] };
  return [
    { id: 'dup-container-names', content: podYaml('spec.containers', [first, second]), expect: ['spec.containers[1].name: Duplicate value: "main"'] },
    { id: 'dup-init-and-main-names', content: podYaml('spec.initContainers[0].name', 'main'), expect: [`${C0}.name: Duplicate value: "main"`] },
    {
      id: 'dup-port-names',
      content: podYaml(`${C0}.ports`, [
        { name: 'http', containerPort: 80 },
        { name: 'http', containerPort: 81 },
      ]),
      expect: [`${C0}.ports[1].name: Duplicate value: "http"`],
    },
    {
      id: 'dup-host-ports',
      content: podYaml(`${C0}.ports`, [
        { containerPort: 80, hostPort: 8080 },
        { containerPort: 81, hostPort: 8080 },
      ]),
      expect: [`${C0}.ports[1].hostPort: Duplicate value`],
    },
    { id: 'dup-volume-names', content: podYaml('spec.volumes[1].name', 'scratch'), expect: ['spec.volumes[1].name: Duplicate value: "scratch"'] },
    {
      id: 'dup-mount-paths',
      content: podYaml(`${C0}.volumeMounts[1].mountPath`, '/scratch'),
      expect: [`${C0}.volumeMounts[1].mountPath: Invalid value: "/scratch": must be unique`],
    },
    { id: 'mount-unknown-volume', content: podYaml(`${C0}.volumeMounts[0].name`, 'nope'), expect: [`${C0}.volumeMounts[0].name: Not found: "nope"`] },
    {
      id: 'mount-unknown-volume-init',
      content: podYaml('spec.initContainers[0].volumeMounts', [{ name: 'ghost', mountPath: '/g' }]),
      expect: ['spec.initContainers[0].volumeMounts[0].name: Not found: "ghost"'],
    },
    {
      id: 'dup-yaml-keys',
      content: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\nspec:\n  containers:\n  - name: a\n    image: busybox\n',
      expect: ['Map keys must be unique'],
    },
  ];
}

// ---------------------------------------------------------------------------------------------------
// Generated: values out of their allowed set or range.

function rangeCases(): CorpusCase[] {
  const out: CorpusCase[] = [];
  /** Sets `path` to `value`; the error must name `reported` (default: `path`) and say `fragment`. */
  const add = (id: string, path: string, value: Json, fragment: string, reported = path): void => {
    out.push({ id, content: podYaml(path, value), expect: [`${reported}: `, fragment] });
  };
  for (const [i, v] of ['always', 'Sometimes', '', 'Never '].entries())
    add(`restart-policy-${i}`, 'spec.restartPolicy', v, `Unsupported value: ${JSON.stringify(v)}`);
  add('restart-policy-main-container', `${C0}.restartPolicy`, 'Always', 'Forbidden');
  add('restart-policy-init-onfailure', 'spec.initContainers[0].restartPolicy', 'OnFailure', 'Unsupported value: "OnFailure"');
  for (const [i, v] of [-1, -100, -9007199254740991].entries())
    add(`grace-negative-${i}`, 'spec.terminationGracePeriodSeconds', v, `Invalid value: ${v}: must be greater than or equal to 0`);
  add('grace-beyond-int64', 'spec.terminationGracePeriodSeconds', 2 ** 64, 'Invalid value');
  add('deadline-zero', 'spec.activeDeadlineSeconds', 0, 'must be greater than or equal to 1');
  add('deadline-negative', 'spec.activeDeadlineSeconds', -5, 'must be greater than or equal to 1');
  for (const path of [
    'spec.securityContext.runAsUser',
    'spec.securityContext.runAsGroup',
    `${C0}.securityContext.runAsUser`,
    `${C0}.securityContext.runAsGroup`,
    'spec.securityContext.fsGroup',
    'spec.securityContext.supplementalGroups[0]',
  ]) {
    add(`id-negative-${slug(path)}`, path, -1, 'Invalid value: -1: must be greater than or equal to 0');
    add(`id-int32-overflow-${slug(path)}`, path, 2147483648, 'Invalid value: 2147483648: must be less than or equal to 2147483647');
    add(`id-uint32-max-${slug(path)}`, path, 4294967295, 'Invalid value: 4294967295');
  }
  for (const v of [-1, 65536, 100000]) add(`host-port-${v}`, `${C0}.ports[0].hostPort`, v, `Invalid value: ${v}: must be between 1 and 65535`);
  for (const v of [0, -1, 65536]) add(`container-port-${v}`, `${C0}.ports[0].containerPort`, v, `Invalid value: ${v}: must be between 1 and 65535`);
  add('probe-port-zero', `${C0}.livenessProbe.httpGet.port`, 0, 'Invalid value: 0: must be between 1 and 65535');
  add('probe-port-huge', `${C0}.livenessProbe.httpGet.port`, 70000, 'Invalid value: 70000');
  add('probe-port-bad-name', `${C0}.livenessProbe.httpGet.port`, 'HTTP!', 'Invalid value: "HTTP!"');
  add('probe-period-zero', `${C0}.livenessProbe.periodSeconds`, 0, 'must be greater than or equal to 1');
  add('probe-period-negative', `${C0}.livenessProbe.periodSeconds`, -10, 'must be greater than or equal to 0');
  add('probe-liveness-success-2', `${C0}.livenessProbe.successThreshold`, 2, 'Invalid value: 2: must be 1');
  add('pull-policy', `${C0}.imagePullPolicy`, 'always', 'Unsupported value: "always"');
  add('protocol-lower', `${C0}.ports[0].protocol`, 'tcp', 'Unsupported value: "tcp"');
  add('protocol-icmp', `${C0}.ports[0].protocol`, 'ICMP', 'Unsupported value: "ICMP"');
  add('dns-policy', 'spec.dnsPolicy', 'Google', 'Unsupported value: "Google"');
  add('termination-message-policy', `${C0}.terminationMessagePolicy`, 'Always', 'Unsupported value');
  add('mount-propagation', `${C0}.volumeMounts[0].mountPropagation`, 'Shared', 'Unsupported value: "Shared"');
  add('mount-path-relative', `${C0}.volumeMounts[0].mountPath`, 'data', 'must be an absolute path');
  add('subpath-escape', `${C0}.volumeMounts[0].subPath`, '../../etc', "must not contain '..'");
  add('subpath-absolute', `${C0}.volumeMounts[0].subPath`, '/etc', 'must be a relative path');
  add('hostpath-relative', 'spec.volumes[1].hostPath.path', 'etc', 'must be an absolute path');
  add('hostpath-dotdot', 'spec.volumes[1].hostPath.path', '/var/../etc', "must not contain '..'");
  add('hostpath-type', 'spec.volumes[1].hostPath.type', 'Symlink', 'Unsupported value: "Symlink"');
  add('emptydir-medium', 'spec.volumes[0].emptyDir.medium', 'Disk', 'Unsupported value: "Disk"');
  add('configmap-item-escape', 'spec.volumes[2].configMap.items[0].path', '../../etc/shadow', "must not contain '..'");
  add('configmap-item-nul', 'spec.volumes[2].configMap.items[0].path', `a${NUL}b`, 'must not contain NUL');
  add('default-mode-too-big', 'spec.volumes[2].configMap.defaultMode', 0o1000, 'Invalid value: 512');
  add('default-mode-negative', 'spec.volumes[2].configMap.defaultMode', -1, 'Invalid value: -1');
  add('field-ref-unknown', `${C0}.env[1].valueFrom.fieldRef.fieldPath`, 'spec.secret', 'Unsupported value: "spec.secret"');
  add('value-and-value-from', `${C0}.env[1].value`, 'x', 'may not be specified when `value` is not empty', `${C0}.env[1].valueFrom`);
  out.push({
    id: 'share-pid-and-host-pid',
    content: yaml(withValue(withValue(basePod(), 'spec.hostPID', true), 'spec.shareProcessNamespace', true)),
    expect: ['spec.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled'],
  });
  add('volume-two-sources', 'spec.volumes[0].hostPath', { path: '/tmp' }, 'Forbidden: may not specify more than 1 volume type', 'spec.volumes[0]');
  add('probe-two-handlers', `${C0}.readinessProbe.tcpSocket`, { port: 80 }, 'Forbidden: may not specify more than 1 handler type', `${C0}.readinessProbe`);
  add('probe-on-init', 'spec.initContainers[0].livenessProbe', { exec: { command: ['true'] } }, 'Forbidden');
  out.push({
    id: 'envfrom-no-source',
    content: podYaml(`${C0}.envFrom[0].configMapRef`, undefined),
    expect: [`${C0}.envFrom[0]: Invalid value: must specify one of`],
  });
  // `field: null` is the field left out, as for the API server: a source or handler set to null is none.
  const nulls: readonly [string, string][] = [
    ['spec.volumes[0].emptyDir', 'spec.volumes[0]: Required value: must specify a volume type'],
    ['spec.volumes[1].hostPath', 'spec.volumes[1]: Required value: must specify a volume type'],
    ['spec.volumes[2].configMap', 'spec.volumes[2]: Required value: must specify a volume type'],
    [`${C0}.livenessProbe.httpGet`, `${C0}.livenessProbe: Required value: must specify a handler type`],
    [`${C0}.readinessProbe.exec`, `${C0}.readinessProbe: Required value: must specify a handler type`],
    [`${C0}.startupProbe.grpc`, `${C0}.startupProbe: Required value: must specify a handler type`],
    [`${C0}.lifecycle.preStop.sleep`, `${C0}.lifecycle.preStop: Required value: must specify a handler type`],
    [`${C0}.lifecycle.postStart.exec`, `${C0}.lifecycle.postStart: Required value: must specify a handler type`],
    [`${C0}.env[1].valueFrom.fieldRef`, `${C0}.env[1].valueFrom: Required value: must specify one of`],
    [`${C0}.envFrom[0].configMapRef`, `${C0}.envFrom[0]: Invalid value: must specify one of`],
  ];
  for (const [path, fragment] of nulls) out.push({ id: `null-source-${slug(path)}`, content: podYaml(path, null), expect: [fragment] });
  add('lifecycle-empty-handler', `${C0}.lifecycle.preStop`, {}, 'Required value: must specify a handler type');
  add(
    'lifecycle-two-handlers',
    `${C0}.lifecycle.postStart`,
    { exec: { command: ['true'] }, sleep: { seconds: 1 } },
    'Forbidden: may not specify more than 1 handler type',
  );
  add(
    'value-from-two-sources',
    `${C0}.env[1].valueFrom.configMapKeyRef`,
    { name: 'settings', key: 'a' },
    'may not have more than one field specified at a time',
    `${C0}.env[1].valueFrom`,
  );
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Hand-written: what is not a (single, well-formed) manifest.

const POD = (name: string): string => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: a\n    image: busybox\n`;
const CONFIGMAP = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: v\n`;

/** The classic billion laughs: 9 levels of 9 aliases each. */
function billionLaughs(levels: number): string {
  const lines = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: lol', '  annotations:', `    a0: &a0 "lol"`];
  for (let i = 1; i <= levels; i++) lines.push(`    a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`);
  lines.push('spec:', '  containers:', '  - name: a', '    image: busybox');
  return `${lines.join('\n')}\n`;
}

/** A deterministic byte soup (xorshift), so a failure is reproducible. */
function garbage(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

function specialCases(): CorpusCase[] {
  const deep = 10_000;
  const out: CorpusCase[] = [
    // Empty and content-free files.
    { id: 'empty-file', content: '', expect: ['holds no manifest'] },
    { id: 'only-comments', content: '# nothing here\n# at all\n', expect: ['holds no manifest'] },
    { id: 'only-separators', content: '---\n---\n...\n', expect: ['holds no manifest'] },
    { id: 'only-null', content: '~\n', expect: ['holds no manifest'] },
    { id: 'only-whitespace', content: '\n\n   \n\t\n', expect: ['holds no manifest'] },
    // Not an object.
    { id: 'scalar-document', content: 'hello\n', expect: ['expected an object with apiVersion and kind'] },
    { id: 'number-document', content: '42\n', expect: ['expected an object with apiVersion and kind'] },
    { id: 'list-document', content: '- a\n- b\n', expect: ['expected an object with apiVersion and kind'] },
    { id: 'json-array', content: '[1, 2, 3]', expect: ['expected an object with apiVersion and kind'] },
    { id: 'json-string', content: '"apiVersion: v1"', expect: ['expected an object with apiVersion and kind'] },
    // Unknown apiVersion and kind.
    { id: 'api-version-v2', content: POD('a').replace('apiVersion: v1', 'apiVersion: v2'), expect: ['apiVersion: Unsupported value: "v2"'] },
    { id: 'api-version-apps', content: POD('a').replace('apiVersion: v1', 'apiVersion: apps/v1'), expect: ['apiVersion: Unsupported value: "apps/v1"'] },
    { id: 'api-version-number', content: POD('a').replace('apiVersion: v1', 'apiVersion: 1'), expect: ['apiVersion: Unsupported value: 1'] },
    { id: 'api-version-empty', content: POD('a').replace('apiVersion: v1', 'apiVersion: ""'), expect: ['apiVersion: Unsupported value: ""'] },
    {
      id: 'kind-deployment',
      content: POD('a').replace('kind: Pod', 'kind: Deployment'),
      expect: ['apiVersion: Unsupported value: "v1": supported values: "apps/v1"', 'spec.selector: Required value', 'spec.template: Required value'],
    },
    { id: 'kind-ingress', content: POD('a').replace('kind: Pod', 'kind: Ingress'), expect: ['kind: Unsupported value: "Ingress"'] },
    { id: 'kind-lowercase', content: POD('a').replace('kind: Pod', 'kind: pod'), expect: ['kind: Unsupported value: "pod"'] },
    { id: 'kind-list-no-items', content: 'apiVersion: v1\nkind: List\nitems: 5\n', expect: ['kind: Unsupported value: "List"'] },
    { id: 'kind-object', content: POD('a').replace('kind: Pod', 'kind: {a: 1}'), expect: ['kind: Unsupported value'] },
    // YAML syntax errors.
    { id: 'yaml-tabs', content: 'apiVersion: v1\nkind: Pod\nmetadata:\n\tname: a\n', expect: ['Tabs are not allowed'] },
    {
      id: 'yaml-unclosed-flow',
      content: 'apiVersion: v1\nkind: Pod\nmetadata: {name: a\nspec: {}\n',
      expect: ['Flow map in block collection must be sufficiently indented'],
    },
    { id: 'yaml-unclosed-quote', content: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: "a\n', expect: ['Missing closing "quote'] },
    {
      id: 'yaml-bad-indent',
      content: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   labels: {}\n',
      expect: ['Nested mappings are not allowed in compact mappings'],
    },
    {
      id: 'yaml-undefined-alias',
      content: 'apiVersion: v1\nkind: Pod\nmetadata: *nowhere\n',
      expect: ['Unresolved alias (the anchor must be set before the alias): nowhere'],
    },
    {
      id: 'yaml-unknown-tag',
      content: 'apiVersion: v1\nkind: Pod\nmetadata: !!python/object:os.system {name: a}\nspec: {containers: [{name: a, image: b}]}\n',
      expect: ['Unresolved tag: tag:yaml.org,2002:python/object:os.system'],
    },
    // JSON instead of YAML, with errors.
    { id: 'json-trailing-comma', content: '{"apiVersion": "v1", "kind": "Pod",, }', expect: ['Unexpected , in flow map'] },
    { id: 'json-unclosed', content: '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}', expect: ['Flow map must end with a }'] },
    {
      id: 'json-wrong-type',
      content: '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {"containers": [{"name": "a", "image": 5}]}}',
      expect: [`${C0}.image: expected string, got integer`],
    },
    {
      id: 'json-containers-object',
      content: '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {"containers": {"0": {"name": "a", "image": "b"}}}}',
      expect: ['spec.containers: expected array, got object'],
    },
    {
      id: 'json-name-null',
      content: '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": null}, "spec": {"containers": [{"name": "a", "image": "b"}]}}',
      expect: ['metadata.name: Required value'],
    },
    {
      id: 'json-bad-quantity',
      content: JSON.stringify(withValue(basePod(), `${C0}.resources.limits.memory`, '12Qi')),
      expect: [`${C0}.resources.limits.memory: Invalid value: "12Qi"`],
    },
    // YAML 1.1 surprises: `yes` is a boolean, a date is not a string.
    { id: 'yaml11-yes-name', content: POD('yes'), expect: ['metadata.name: expected string, got boolean'] },
    { id: 'yaml11-date-name', content: POD('2001-12-14'), expect: ['metadata.name: expected string, got object'] },
    { id: 'yaml11-octal-image', content: POD('a').replace('image: busybox', 'image: 0777'), expect: [`${C0}.image: expected string, got integer`] },
    { id: 'yaml-binary-image', content: POD('a').replace('image: busybox', 'image: !!binary aGVsbG8='), expect: [`${C0}.image: expected string, got object`] },
    {
      id: 'yaml-merge-wrong-type',
      content: 'apiVersion: v1\nkind: Pod\nmetadata:\n  <<: {name: 5}\nspec:\n  containers:\n  - name: a\n    image: busybox\n',
      expect: ['metadata.name: expected string, got integer'],
    },
    { id: 'containers-null-item', content: POD('a').replace('  - name: a\n    image: busybox\n', '  - null\n'), expect: [`${C0}: expected object, got null`] },
    {
      id: 'containers-string-item',
      content: POD('a').replace('  - name: a\n    image: busybox\n', '  - busybox\n'),
      expect: [`${C0}: expected object, got string`],
    },
    // YAML bombs.
    { id: 'billion-laughs', content: billionLaughs(9), expect: ['Excessive alias count', 'at most 100 alias expansions'] },
    { id: 'billion-laughs-small', content: billionLaughs(3), expect: ['Excessive alias count', 'at most 100 alias expansions'] },
    {
      id: 'alias-flood',
      content: `a: &a x\nb: [${Array.from({ length: 500 }, () => '*a').join(', ')}]\n`,
      expect: ['Excessive alias count', 'at most 100 alias expansions'],
    },
    {
      id: 'merge-key-bomb',
      content: `base: &b {${Array.from({ length: 50 }, (_, i) => `k${i}: v`).join(', ')}}\nlist: [${Array.from({ length: 200 }, () => '{<<: *b}').join(', ')}]\n`,
      expect: ['Excessive alias count', 'at most 100 alias expansions'],
    },
    // Deep nesting.
    {
      id: 'deep-flow-lists',
      content: `apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: ${'['.repeat(deep)}${']'.repeat(deep)}\n`,
      expect: ['nesting deeper than'],
    },
    {
      id: 'deep-flow-maps',
      content: `apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: ${'{a: '.repeat(deep)}1${'}'.repeat(deep)}\n`,
      expect: ['nesting deeper than'],
    },
    {
      id: 'deep-json',
      content: `{"apiVersion": "v1", "kind": "Pod", "metadata": ${'{"a": '.repeat(deep)}1${'}'.repeat(deep)}}`,
      expect: ['nesting deeper than'],
    },
    {
      id: 'deep-block-sequence',
      content: `spec:\n${Array.from({ length: 2000 }, (_, i) => `${'  '.repeat(i)}-`).join('\n')} x\n`,
      expect: ['nesting deeper than'],
    },
    {
      id: 'deep-block-maps-100',
      content: `apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n${Array.from({ length: 100 }, (_, i) => `${' '.repeat(2 * i + 2)}k${i}:`).join('\n')} x\n`,
      expect: ['nesting deeper than 64 levels'],
    },
    // Non-UTF-8 and binary garbage.
    { id: 'garbage-random-1', content: garbage(4096, 1), expect: ['garbage-random-1.yaml:1: '] },
    { id: 'garbage-random-2', content: garbage(65536, 2), expect: ['garbage-random-2.yaml:1: '] },
    { id: 'garbage-nul-bytes', content: new Uint8Array(1024), expect: ['garbage-nul-bytes.yaml:1: expected an object with apiVersion and kind'] },
    {
      id: 'garbage-elf',
      content: Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...garbage(256, 3)]),
      expect: ['garbage-elf.yaml:1: expected an object with apiVersion and kind'],
    },
    { id: 'garbage-latin1', content: Buffer.from(POD('caf\xe9'), 'latin1'), expect: ['metadata.name: Invalid value'] },
    {
      id: 'garbage-utf16',
      content: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(POD('a'), 'utf16le')]),
      expect: ['garbage-utf16.yaml:1: expected an object with apiVersion and kind'],
    },
    {
      id: 'garbage-control-chars',
      content: `apiVersion: v1\nkind: Pod\nmetadata:\n  name: "a\u0007\u001b[31mb"\nspec:\n  containers:\n  - name: a\n    image: busybox\n`,
      expect: ['metadata.name: Invalid value'],
    },
    // Huge inputs.
    { id: 'huge-name', content: POD('n'.repeat(100_000)), expect: ['metadata.name: Invalid value'] },
    { id: 'huge-annotation-5mb', content: podYaml('metadata.annotations.note', 'x'.repeat(5 * 1024 * 1024)), expect: ['manifest larger than 4194304 bytes'] },
    { id: 'big-annotation-300k', content: podYaml('metadata.annotations.note', 'x'.repeat(300 * 1024)), expect: ['metadata.annotations: Too long'] },
    { id: 'huge-comment-file', content: `${'#'.repeat(4 * 1024 * 1024)}\n${POD('a')}`, expect: ['manifest larger than'] },
    { id: 'configmap-data-too-big', content: `${CONFIGMAP('big')}  big: ${'x'.repeat(1100 * 1024)}\n`, expect: ['data: Too long'] },
    {
      id: 'too-many-objects',
      content: `apiVersion: v1\nkind: List\nitems:\n${Array.from({ length: 1001 }, (_, i) => `- {apiVersion: v1, kind: ConfigMap, metadata: {name: c${i}}}`).join('\n')}\n`,
      expect: ['more than 1000 objects'],
    },
    {
      id: 'many-bad-containers',
      content: podYaml(
        'spec.containers',
        Array.from({ length: 2000 }, (_, i) => ({ name: `c${i}`, image: i })),
      ),
      expect: ['spec.containers[1999].image: expected string, got integer'],
    },
    // ConfigMaps and Secrets.
    { id: 'configmap-bad-key', content: `${CONFIGMAP('cm')}  a/b: x\n`, expect: ['data["a/b"]: Invalid value'] },
    { id: 'configmap-dotdot-key', content: `${CONFIGMAP('cm')}  "..": x\n`, expect: ['data[".."]: Invalid value'] },
    { id: 'configmap-bad-name', content: CONFIGMAP('../cm'), expect: ['metadata.name: Invalid value'] },
    {
      id: 'secret-bad-base64',
      content: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  k: "not base64!"\n',
      expect: ['data["k"]: Invalid value: illegal base64 data'],
    },
    { id: 'secret-data-list', content: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata: [a, b]\n', expect: ['data: expected object, got array'] },
  ];
  return out;
}

/** Files of several documents where one is broken: nothing of the file may be created. */
function multiDocumentCases(): CorpusCase[] {
  const bad = podYaml(`${C0}.resources.limits.memory`, '12Qi');
  return [
    { id: 'multi-good-pod-then-bad-pod', content: `${POD('first')}---\n${bad}`, expect: [`${C0}.resources.limits.memory: Invalid value: "12Qi"`] },
    { id: 'multi-bad-pod-then-good-pod', content: `${bad}---\n${POD('second')}`, expect: [`${C0}.resources.limits.memory: Invalid value: "12Qi"`] },
    { id: 'multi-configmap-then-bad-pod', content: `${CONFIGMAP('settings')}---\n${bad}`, expect: [`${C0}.resources.limits.memory`] },
    {
      id: 'multi-good-pods-then-syntax-error',
      content: `${POD('one')}---\n${POD('two')}---\nmetadata: {name: [\n`,
      expect: ['multi-good-pods-then-syntax-error.yaml:19: Flow sequence in block collection'],
    },
    { id: 'multi-good-pod-then-bomb', content: `${POD('one')}---\n${billionLaughs(9)}`, expect: ['Excessive alias count', 'at most 100 alias expansions'] },
    { id: 'multi-good-pod-then-deep', content: `${POD('one')}---\nspec: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, expect: ['nesting deeper than'] },
    { id: 'multi-good-pod-then-garbage', content: `${POD('one')}---\n\u0000\u0001\u0002 garbage: [\n`, expect: ['multi-good-pod-then-garbage.yaml:10: '] },
    { id: 'multi-good-pod-then-scalar', content: `${POD('one')}---\njust a string\n`, expect: ['expected an object with apiVersion and kind'] },
    {
      id: 'multi-good-pod-then-unknown-kind',
      content: `${POD('one')}---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: d}\n`,
      expect: ['kind: Unsupported value: "Ingress"'],
    },
    {
      id: 'multi-good-pod-then-deployment-without-spec',
      content: `${POD('one')}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n`,
      expect: ['spec: Required value'],
    },
    {
      id: 'multi-secret-then-runasuser',
      content: `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {k: v}\n---\n${podYaml('spec.securityContext.runAsUser', -1)}`,
      expect: ['spec.securityContext.runAsUser: Invalid value: -1'],
    },
    {
      id: 'multi-list-one-bad-item',
      content: `apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: ok}}\n- {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: busybox, ports: [{containerPort: 0}]}]}}\n`,
      expect: [`${C0}.ports[0].containerPort: Invalid value: 0`],
    },
    {
      id: 'multi-many-good-one-bad',
      content: `${Array.from({ length: 20 }, (_, i) => POD(`p${i}`)).join('---\n')}---\n${podYaml('spec.restartPolicy', 'Sometimes')}`,
      expect: ['spec.restartPolicy: Unsupported value: "Sometimes"'],
    },
    {
      id: 'multi-sizelimit-overflow',
      content: `${POD('one')}---\n${podYaml('spec.volumes[0].emptyDir.sizeLimit', '1e400')}`,
      expect: ['spec.volumes[0].emptyDir.sizeLimit: Invalid value: "1e400"'],
    },
  ];
}

export function buildCorpus(): CorpusCase[] {
  return [
    ...wrongTypeCases(),
    ...requiredCases(),
    ...quantityCases(),
    ...nameCases(),
    ...duplicateCases(),
    ...rangeCases(),
    ...specialCases(),
    ...multiDocumentCases(),
  ];
}

/** The base pod as YAML: valid, for the sanity check that each case breaks exactly what it says. */
export function basePodYaml(): string {
  return yaml(basePod());
}
