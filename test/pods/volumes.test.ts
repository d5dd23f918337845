// Volumes shared by a pod's containers, on real mounts: configMap (all keys and items with a mode),
// secret (tmpfs, defaultMode), downwardAPI, projected, emptyDir on disk and in memory with a size,
// hostPath with type checks, subPath and readOnly; env from ConfigMaps, Secrets and the downward API
// with $(VAR) expansion; a missing ConfigMap holds the container until it is applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';

const SLEEP = `["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]`;

const manifest = (hostDir: string): string => `
apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
data: { color: blue, "app.conf": "debug=true" }
---
apiVersion: v1
kind: Secret
metadata: { name: creds }
stringData: { password: s3cret }
---
apiVersion: v1
kind: Pod
metadata: { name: vols, labels: { tier: web } }
spec:
  terminationGracePeriodSeconds: 1
  volumes:
    - { name: cfg, configMap: { name: settings } }
    - { name: cfg-items, configMap: { name: settings, items: [{ key: color, path: nested/color.txt, mode: 0600 }] } }
    - { name: sec, secret: { secretName: creds, defaultMode: 0400 } }
    - { name: info, downwardAPI: { items: [{ path: name, fieldRef: { fieldPath: metadata.name } }, { path: labels, fieldRef: { fieldPath: metadata.labels } }] } }
    - { name: proj, projected: { sources: [{ configMap: { name: settings, items: [{ key: color, path: color }] } }, { downwardAPI: { items: [{ path: ns, fieldRef: { fieldPath: metadata.namespace } }] } }] } }
    - { name: scratch, emptyDir: {} }
    - { name: ram, emptyDir: { medium: Memory, sizeLimit: 8Mi } }
    - { name: host, hostPath: { path: ${hostDir}, type: Directory } }
    - { name: made, hostPath: { path: ${hostDir}/made, type: DirectoryOrCreate } }
  containers:
    - name: c
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ${SLEEP}
      env:
        - { name: COLOR, valueFrom: { configMapKeyRef: { name: settings, key: color } } }
        - { name: PASSWORD, valueFrom: { secretKeyRef: { name: creds, key: password } } }
        - { name: POD_IP, valueFrom: { fieldRef: { fieldPath: status.podIP } } }
        - { name: NS, valueFrom: { fieldRef: { fieldPath: metadata.namespace } } }
        - { name: GREETING, value: "$(COLOR)-$(NS)" }
      volumeMounts:
        - { name: cfg, mountPath: /cfg }
        - { name: cfg-items, mountPath: /items }
        - { name: sec, mountPath: /sec }
        - { name: info, mountPath: /info }
        - { name: proj, mountPath: /proj }
        - { name: scratch, mountPath: /scratch }
        - { name: scratch, mountPath: /sub, subPath: part }
        - { name: ram, mountPath: /ram }
        - { name: host, mountPath: /host, readOnly: true }
        - { name: made, mountPath: /made }
---
apiVersion: v1
kind: Pod
metadata: { name: waits }
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{ name: later, configMap: { name: later } }]
  containers:
    - { name: c, image: busybox, imagePullPolicy: IfNotPresent, command: ${SLEEP}, volumeMounts: [{ name: later, mountPath: /later }] }
`;

test('configMap, secret, downwardAPI, projected, emptyDir, hostPath, subPath, readOnly and env sources', { timeout: 120_000 }, async (t) => {
  const { roots, env, daemon } = await startPodTest(t);
  const hostDir = join(roots.dir, 'host');
  await mkdir(hostDir);
  await writeFile(join(hostDir, 'from-host'), 'hello');
  const file = join(roots.dir, 'vols.yaml');
  await writeFile(file, manifest(hostDir));
  const applied = await runCli(env, ['apply', '-f', file]);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /configmap\/settings created\nsecret\/creds created\npod\/vols created/);
  await waitFor(
    async () => {
      const pod = JSON.parse((await runCli(env, ['get', 'pod', 'vols', '-o', 'json'])).stdout) as {
        status: { containerStatuses?: { state: { running?: unknown } }[] };
      };
      return pod.status.containerStatuses?.[0]?.state.running;
    },
    { timeoutMs: 30_000, intervalMs: 200, description: 'vols to run' },
  );
  const sh = async (script: string): Promise<string> => {
    const r = await runCli(env, ['exec', 'vols', '--', 'sh', '-c', script]);
    assert.equal(r.code, 0, `${script}: ${r.stderr}`);
    return r.stdout.trim();
  };
  assert.equal(await sh('cat /cfg/color /cfg/app.conf'), 'bluedebug=true');
  assert.equal(await sh('cat /items/nested/color.txt; echo; stat -c %a /items/nested/color.txt'), 'blue\n600');
  assert.equal(await sh('cat /sec/password; echo; stat -L -c %a /sec/password'), 's3cret\n400');
  assert.equal(await sh('cat /info/name; echo; cat /info/labels'), 'vols\ntier="web"');
  assert.equal(await sh('cat /proj/color; echo; cat /proj/ns'), 'blue\ndefault');
  assert.equal(await sh('echo shared > /scratch/x && cat /scratch/x && echo sub > /sub/y && cat /scratch/part/y'), 'shared\nsub');
  assert.match(await sh('grep " /ram " /proc/mounts'), /^tmpfs \/ram tmpfs .*size=8192k/);
  assert.equal(await sh('cat /host/from-host'), 'hello');
  const readOnly = await runCli(env, ['exec', 'vols', '--', 'touch', '/host/nope']);
  assert.notEqual(readOnly.code, 0, 'readOnly mount refuses writes');
  assert.ok((await stat(join(hostDir, 'made'))).isDirectory(), 'DirectoryOrCreate made the host dir');
  assert.equal(await sh('echo $COLOR $PASSWORD $NS $GREETING'), 'blue s3cret default blue-default');
  assert.match(await sh('echo $POD_IP'), /^10\.\d+\.\d+\.\d+$/);
  // The secret lives on tmpfs on the host, never on disk.
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  assert.ok(
    mounts.split('\n').some((l) => l.includes(`${roots.config.root}/pods/`) && l.includes('/volumes/sec ') && l.includes(' - tmpfs ')),
    'secret volume on tmpfs',
  );

  // A missing ConfigMap holds the pod with a clear event until it is applied.
  const waiting = await waitFor(
    async () => {
      const d = await runCli(env, ['describe', 'pod', 'waits']);
      return /FailedMount\s.*configmap "later" not found/.test(d.stdout) ? d.stdout : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250, description: 'the FailedMount event' },
  );
  assert.match(waiting, /Status:\s+Pending/);
  const later = join(roots.dir, 'later.yaml');
  await writeFile(later, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: later}\ndata: {k: v}\n');
  assert.equal((await runCli(env, ['apply', '-f', later])).code, 0);
  await waitFor(async () => /^waits\s+1\/1\s+Running/m.test((await runCli(env, ['get', 'pods'])).stdout), {
    timeoutMs: 30_000,
    intervalMs: 250,
    description: 'waits to run once the ConfigMap exists',
  });

  for (const name of ['vols', 'waits']) assert.equal((await runCli(env, ['delete', 'pod', name])).code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
