// `peapod apply -f` end to end: the CLI only reads the files and the daemon parses them, so errors and
// warnings must still come back as `file:line: field.path: message`, with the exit code and nothing created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNoLeaks, runCli } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';

const BAD = `apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  containers:
    - name: a
      image: busybox
      resources:
        limits:
          memory: 12Qi
`;

const WITH_UNKNOWN_FIELD = `apiVersion: v1
kind: Pod
metadata:
  name: good
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: a
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sleep", "3600"]
      colour: blue
`;

test('apply -f reports daemon-side validation with file:line and field paths, warnings too', async (t) => {
  const pt = await startPodTest(t);
  const dir = join(pt.roots.dir, 'manifests-in');
  await mkdir(dir);
  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, BAD);

  const rejected = await runCli(pt.env, ['apply', '-f', bad]);
  assert.equal(rejected.code, 1, rejected.stderr);
  assert.match(rejected.stderr, new RegExp(`${bad}:11: spec\\.containers\\[0\\]\\.resources\\.limits\\.memory: .*"12Qi"`));
  const none = await runCli(pt.env, ['get', 'pods', '-o', 'json']);
  assert.equal(none.code, 0, none.stderr);
  assert.deepEqual((JSON.parse(none.stdout) as { items: unknown[] }).items, []);

  const empty = join(dir, 'empty.yaml');
  await writeFile(empty, '# nothing\n');
  const nothing = await runCli(pt.env, ['apply', '-f', empty]);
  assert.equal(nothing.code, 1);
  assert.match(nothing.stderr, /holds no manifest/);

  const good = join(pt.roots.dir, 'good.yaml');
  await writeFile(good, WITH_UNKNOWN_FIELD);
  const applied = await runCli(pt.env, ['apply', '-f', good, '--wait']);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /^pod\/good created$/m);
  assert.match(applied.stderr, new RegExp(`Warning: ${good}:12: unknown field "spec\\.containers\\[0\\]\\.colour"`));

  const stdin = await runCli(pt.env, ['apply', '-f', '-'], { input: BAD });
  assert.equal(stdin.code, 1);
  assert.match(stdin.stderr, /^error: -:11: spec\.containers\[0\]/m);

  assert.equal((await runCli(pt.env, ['delete', 'pod', 'good'])).code, 0);
  await pt.daemon.stop();
  await assertNoLeaks(pt.roots.config);
});
