// configMap, secret, downwardAPI and projected volumes as the kubelet lays them out: read-only in the
// container whatever the mount says, `..data` pointing at a timestamped payload directory with the keys
// as symlinks into it, and a changed ConfigMap or Secret swapped into a running pod's volume within 2 s,
// except through a subPath mount, which keeps the old content; the environment never changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';

const SLEEP = `["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]`;
const UPDATE_DEADLINE_MS = 2_000;

const objects = (color: string, password: string): string => `
apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
data: { color: ${color} }
---
apiVersion: v1
kind: Secret
metadata: { name: creds }
stringData: { password: ${password} }
`;

const pod = `
apiVersion: v1
kind: Pod
metadata: { name: live, labels: { tier: web } }
spec:
  terminationGracePeriodSeconds: 1
  volumes:
    - { name: cfg, configMap: { name: settings } }
    - { name: sec, secret: { secretName: creds } }
    - { name: info, downwardAPI: { items: [{ path: name, fieldRef: { fieldPath: metadata.name } }] } }
    - { name: proj, projected: { sources: [{ configMap: { name: settings } }, { secret: { name: creds } }] } }
  containers:
    - name: c
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ${SLEEP}
      env: [{ name: COLOR, valueFrom: { configMapKeyRef: { name: settings, key: color } } }]
      volumeMounts:
        - { name: cfg, mountPath: /cfg, readOnly: false }
        - { name: sec, mountPath: /sec }
        - { name: info, mountPath: /info }
        - { name: proj, mountPath: /proj }
        - { name: cfg, mountPath: /color-file, subPath: color }
`;

test('projected volumes are read-only, laid out with ..data, and follow ConfigMap and Secret updates within 2 s', { timeout: 120_000 }, async (t) => {
  const podTest = await startPodTest(t);
  const { roots, env, daemon } = podTest;
  const apply = (name: string, manifest: string): Promise<string> => podTest.apply(name, manifest);
  await apply('objects.yaml', objects('blue', 'one'));
  await apply('pod.yaml', pod);
  await waitFor(async () => /^live\s+1\/1\s+Running/m.test((await runCli(env, ['get', 'pods'])).stdout), {
    timeoutMs: 30_000,
    intervalMs: 200,
    description: 'live to run',
  });
  const sh = async (script: string): Promise<{ code: number; out: string }> => {
    const r = await runCli(env, ['exec', 'live', '--', 'sh', '-c', script]);
    return { code: r.code, out: `${r.stdout}${r.stderr}`.trim() };
  };

  // (a) Nothing in these volumes is writable from the container, not even with readOnly: false.
  for (const dir of ['/cfg', '/sec', '/info', '/proj']) {
    const touch = await sh(`touch ${dir}/x`);
    assert.notEqual(touch.code, 0, `touch ${dir}/x must fail`);
    assert.match(touch.out, /Read-only file system/, dir);
    assert.match((await sh(`grep " ${dir} " /proc/mounts`)).out, / ro[, ]/, `${dir} is mounted ro`);
  }
  assert.notEqual((await sh('rm -f /cfg/..data && ln -s / /cfg/..data')).code, 0, '..data cannot be replaced');

  // (b) The kubelet's layout.
  const layout = (await sh('ls -a /cfg; readlink /cfg/..data; readlink /cfg/color')).out.split('\n');
  const dataDir = layout.at(-2) ?? '';
  assert.match(dataDir, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\w+$/);
  assert.deepEqual(
    layout
      .slice(0, -2)
      .filter((n) => n !== '.' && n !== '..')
      .sort(),
    ['..data', dataDir, 'color'].sort(),
  );
  assert.equal(layout.at(-1), '..data/color');
  assert.equal((await sh('cat /proj/color /proj/password /info/name')).out, 'blueonelive');

  // (c) An update reaches the volumes within 2 s; the subPath mount and the environment keep the old values.
  const applied = Date.now();
  await apply('objects.yaml', objects('green', 'two'));
  const seen = await waitFor(
    async () => {
      const r = await sh('cat /cfg/color /sec/password /proj/color /proj/password');
      return r.out === 'greentwogreentwo' ? Date.now() : undefined;
    },
    { timeoutMs: UPDATE_DEADLINE_MS + 3_000, intervalMs: 100, description: 'the new ConfigMap and Secret in the volumes' },
  );
  assert.ok(seen - applied <= UPDATE_DEADLINE_MS, `update took ${seen - applied} ms`);
  assert.notEqual((await sh('readlink /cfg/..data')).out, dataDir, 'a new payload directory was swapped in');
  assert.equal((await sh('cat /color-file; echo " $COLOR"')).out, 'blue blue');
  // Level-triggered and cheap: an unchanged apply swaps nothing.
  const current = (await sh('readlink /cfg/..data')).out;
  await apply('objects.yaml', objects('green', 'two'));
  await delay(500);
  assert.equal((await sh('readlink /cfg/..data')).out, current);

  assert.equal((await runCli(env, ['delete', 'pod', 'live'])).code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
