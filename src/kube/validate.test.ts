import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateObject, validateObjects } from './validate.js';
import { loadManifests, MAX_ALIAS_COUNT } from './load.js';
import { applyDefaults, defaultPullPolicy } from './defaults.js';
import type { Pod } from './types.js';

const podWith = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p' }): unknown => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata,
  spec,
});
const messages = (value: unknown): string[] => validateObject(value).errors.map((e) => `${e.path}: ${e.message}`);

test('names, containers, ports, quantities, volumes and env are checked with field paths', () => {
  const found = messages(
    podWith(
      {
        containers: [
          { name: 'Web', image: 'busybox', ports: [{ containerPort: 70000 }], resources: { limits: { memory: '12Qi' } } },
          { name: 'web', image: '', env: [{ name: '1X', value: 'a' }], volumeMounts: [{ name: 'nope', mountPath: 'rel' }] },
          { name: 'web', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } },
        ],
        restartPolicy: 'Sometimes',
        volumes: [{ name: 'v' }, { name: 'w', emptyDir: {}, hostPath: { path: '/x' } }],
      },
      { name: '../evil' },
    ),
  );
  const expect = [
    /^metadata\.name: Invalid value: "\.\.\/evil": a lowercase RFC 1123 subdomain/,
    /^spec\.containers\[0\]\.name: Invalid value: "Web"/,
    /^spec\.containers\[0\]\.ports\[0\]\.containerPort: Invalid value: 70000: must be between 1 and 65535/,
    /^spec\.containers\[0\]\.resources\.limits\.memory: Invalid value: "12Qi": must be a valid quantity$/,
    /^spec\.containers\[1\]\.image: Required value$/,
    /^spec\.containers\[1\]\.env\[0\]\.name: Invalid value: "1X"/,
    /^spec\.containers\[1\]\.volumeMounts\[0\]\.name: Not found: "nope"$/,
    /^spec\.containers\[1\]\.volumeMounts\[0\]\.mountPath: Invalid value: "rel": must be an absolute path$/,
    /^spec\.containers\[2\]\.name: Duplicate value: "web"$/,
    /^spec\.containers\[2\]\.resources\.requests\.cpu: Invalid value: "2": must be less than or equal to cpu limit of 1$/,
    /^spec\.restartPolicy: Unsupported value: "Sometimes"/,
    /^spec\.volumes\[0\]: Required value: must specify a volume type$/,
    /^spec\.volumes\[1\]: Forbidden: may not specify more than 1 volume type/,
  ];
  for (const pattern of expect)
    assert.ok(
      found.some((m) => pattern.test(m)),
      `${String(pattern)} not in:\n${found.join('\n')}`,
    );
});

test('wrong types are reported as such and unknown fields are warnings', () => {
  const result = validateObject(podWith({ containers: [{ name: 'c', image: 'x', imagePullPolice: 'Always', ports: 'nope', tty: 'yes' }] }));
  assert.deepEqual(result.errors.map((e) => `${e.path}: ${e.message}`).sort(), [
    'spec.containers[0].ports: expected array, got string',
    'spec.containers[0].tty: expected boolean, got string',
  ]);
  assert.deepEqual(
    result.warnings.map((w) => w.message),
    ['unknown field "spec.containers[0].imagePullPolice"'],
  );
});

test('kind and apiVersion are checked; the API door throws one error listing everything', () => {
  assert.match(messages({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'x' } }).join('\n'), /kind: Unsupported value: "Ingress"/);
  assert.throws(() => validateObjects([podWith({ containers: [] })]), /Pod "p": spec\.containers: Required value/);
  assert.equal(validateObjects([podWith({ containers: [{ name: 'c', image: 'x' }] })]).length, 1);
});

test('sidecars: restartPolicy Always only on init containers; probes only on sidecars among them', () => {
  const found = messages(
    podWith({
      initContainers: [
        { name: 'i', image: 'x', readinessProbe: { exec: { command: ['true'] } } },
        { name: 's', image: 'x', restartPolicy: 'Always', livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } },
      ],
      containers: [{ name: 'c', image: 'x', restartPolicy: 'Always' }],
    }),
  );
  assert.ok(
    found.some((m) => m.startsWith('spec.initContainers[0].readinessProbe: Forbidden')),
    found.join('\n'),
  );
  assert.ok(
    found.some((m) => m === 'spec.initContainers[1].livenessProbe.successThreshold: Invalid value: 2: must be 1'),
    found.join('\n'),
  );
  assert.ok(
    found.some((m) => m.startsWith('spec.containers[0].restartPolicy: Forbidden')),
    found.join('\n'),
  );
});

test('defaults as the API server sets them', () => {
  assert.equal(defaultPullPolicy('busybox'), 'Always');
  assert.equal(defaultPullPolicy('busybox:latest'), 'Always');
  assert.equal(defaultPullPolicy('busybox:1.36'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('localhost:5000/busybox'), 'Always');
  assert.equal(defaultPullPolicy('busybox@sha256:' + 'a'.repeat(64)), 'IfNotPresent');
  const pod = applyDefaults(
    podWith({
      containers: [{ name: 'c', image: 'x:1', ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } } }],
      volumes: [{ name: 'v', configMap: { name: 'm' } }],
    }) as Pod,
  );
  assert.equal(pod.metadata.namespace, 'default');
  assert.equal(pod.spec.restartPolicy, 'Always');
  assert.equal(pod.spec.terminationGracePeriodSeconds, 30);
  const c = pod.spec.containers[0];
  assert.equal(c?.imagePullPolicy, 'IfNotPresent');
  assert.equal(c?.terminationMessagePath, '/dev/termination-log');
  assert.equal(c?.ports?.[0]?.protocol, 'TCP');
  assert.deepEqual(c?.readinessProbe, {
    httpGet: { port: 80, path: '/', scheme: 'HTTP' },
    periodSeconds: 10,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
  });
  assert.equal(pod.spec.volumes?.[0]?.configMap?.defaultMode, 0o644);
});

test('loading files: positions in every error, multi-document, List, directories; bombs refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'manifests-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const bad = join(dir, 'pod.yaml');
  await writeFile(
    bad,
    [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: web',
      'spec:',
      '  containers:',
      '    - name: a',
      '      image: busybox',
      '      resources:',
      '        limits:',
      '          memory: 12Qi',
      '',
    ].join('\n'),
  );
  await assert.rejects(loadManifests(bad), (err: Error) => {
    assert.equal(err.message, `${bad}:11: spec.containers[0].resources.limits.memory: Invalid value: "12Qi": must be a valid quantity`);
    return true;
  });
  const multi = join(dir, 'multi');
  await mkdir(multi);
  await writeFile(
    join(multi, 'a.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n---\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: "x:1", imagePullPolice: Never}]\n',
  );
  await writeFile(
    join(multi, 'b.json'),
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { a: 'b' } }] }),
  );
  await writeFile(join(multi, 'ignored.txt'), 'not a manifest');
  const loaded = await loadManifests(multi);
  assert.deepEqual(
    loaded.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}@${o.line}`),
    ['ConfigMap/c@1', 'Pod/p@7', 'Secret/s@1'],
  );
  assert.deepEqual(loaded.warnings, [`${join(multi, 'a.yaml')}:11: unknown field "spec.containers[0].imagePullPolice"`]);
  const bomb = join(dir, 'bomb.yaml');
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 0; i < 9; i++)
    lines.push(
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
    );
  await writeFile(bomb, lines.join('\n'));
  const started = Date.now();
  await assert.rejects(loadManifests(bomb), new RegExp(`at most ${MAX_ALIAS_COUNT} alias`));
  assert.ok(Date.now() - started < 5000);
  await assert.rejects(loadManifests(join(dir, 'missing.yaml')), /does not exist/);
});
