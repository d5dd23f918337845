// One scenario per kubectl verb beyond the walk-through, each output compared with what kubectl prints
// against a real API server (messages from apimachinery/pkg/api/errors and kubectl/pkg/cmd, columns from
// pkg/printers/internalversion/printers.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { spawn } from 'node:child_process';
import { assertNoLeaks } from '../helpers/leaks.js';
import { startKubectlTest, kubectlEnv, type KubectlTest } from './harness.js';

const POD = (labels: string, extra = ''): string => `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {${labels}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo started; trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]
${extra}`;

interface Verbs {
  /** Runs kubectl, expects success and, when given, this stdout. */
  readonly ok: (args: string[], expected?: string | RegExp) => Promise<string>;
  /** Runs kubectl, expects failure with this stderr. */
  readonly fails: (args: string[], stderr: string | RegExp) => Promise<void>;
}

function verbs(k: KubectlTest): Verbs {
  const ok = async (args: string[], expected?: string | RegExp): Promise<string> => {
    const r = await k.kubectl(args, { timeoutMs: 60_000 });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    if (typeof expected === 'string') assert.equal(r.stdout, expected);
    else if (expected) assert.match(r.stdout, expected);
    return r.stdout;
  };
  const fails = async (args: string[], stderr: string | RegExp): Promise<void> => {
    const r = await k.kubectl(args);
    assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail`);
    if (typeof stderr === 'string') assert.equal(r.stderr, stderr);
    else assert.match(r.stderr, stderr);
  };
  return { ok, fails };
}

async function noClientCertificate(k: KubectlTest, _v: Verbs): Promise<void> {
  const refused = await new Promise<string>((resolve) => {
    const req = request({ host: '127.0.0.1', port: k.port, path: '/api/v1/pods', rejectUnauthorized: false }, (res) => resolve(`HTTP ${res.statusCode ?? 0}`));
    req.on('error', (err) => resolve(err.message));
    req.end();
  });
  assert.doesNotMatch(refused, /^HTTP/);
}

async function notFound(k: KubectlTest, { fails }: Verbs): Promise<void> {
  await fails(['get', 'pod', 'nope'], 'Error from server (NotFound): pods "nope" not found\n');
}

async function createLabelAnnotateApply(k: KubectlTest, { ok, fails }: Verbs): Promise<void> {
  const file = await k.file('web.yaml', POD('app: web'));
  await ok(['create', '-f', file], 'pod/web created\n');
  await fails(['create', '-f', file], `Error from server (AlreadyExists): error when creating "${file}": pods "web" already exists\n`);
  await ok(['wait', '--for=condition=Ready', 'pod/web', '--timeout=60s'], 'pod/web condition met\n');
  await ok(['label', 'pod', 'web', 'tier=front'], 'pod/web labeled\n');
  await ok(['annotate', 'pod', 'web', 'note=hello'], 'pod/web annotated\n');
  const changed = await k.file('web2.yaml', POD('app: web, tier: front, v: "2"'));
  await ok(['apply', '-f', changed], 'pod/web configured\n');
  await ok(['apply', '--server-side', '-f', changed], 'pod/web serverside-applied\n');
  await ok(['get', 'pod', 'web', '--show-labels'], /^web\s+1\/1\s+Running\s+0\s+\S+\s+app=web,tier=front,v=2$/m);
  await ok(['get', 'pods', '-l', 'tier=front', '-o', 'name'], 'pod/web\n');
}

async function invalidAndFieldValidation(k: KubectlTest, { ok, fails }: Verbs): Promise<void> {
  const bad = await k.file('bad.yaml', POD('app: bad').replace('name: web', 'name: bad').replace('name: main', 'name: Bad_Name'));
  await fails(['apply', '-f', bad], /^The Pod "bad" is invalid: spec\.containers\[0\]\.name: Invalid value: "Bad_Name": /);
  const unknown = await k.file(
    'unknown.yaml',
    POD('app: u').replace('name: web', 'name: u').replace('    imagePullPolicy', '    bogus: 1\n    imagePullPolicy'),
  );
  // kubectl 1.25+ leaves the check to the server (fieldValidation=Strict); older ones validate against /openapi/v2.
  await fails(
    ['apply', '-f', unknown],
    /strict decoding error: unknown field "spec\.containers\[0\]\.bogus"|error validating data: ValidationError\(Pod\.spec\.containers\[0\]\): unknown field "bogus"/,
  );
  // fieldValidation=Warn (kubectl --validate=warn, 1.25+): created, with the server's warning printed by kubectl.
  if (k.clientMinor >= 25) {
    const warned = await k.kubectl(['create', '--validate=warn', '-f', unknown]);
    assert.equal(warned.code, 0, warned.stderr);
    assert.equal(warned.stdout, 'pod/u created\n');
    assert.match(warned.stderr, /^Warning: unknown field "spec\.containers\[0\]\.bogus"$/m);
    await ok(['delete', 'pod', 'u', '--grace-period=0'], /^pod "u" deleted\n$/);
  }
}

async function staleResourceVersion(k: KubectlTest, { ok, fails }: Verbs): Promise<void> {
  const stale = await k.file('stale.json', await ok(['get', 'pod', 'web', '-o', 'json']));
  await ok(['label', 'pod', 'web', 'bump=1'], 'pod/web labeled\n');
  await fails(
    ['replace', '-f', stale],
    `Error from server (Conflict): error when replacing "${stale}": Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again\n`,
  );
}

async function editAndPatch(k: KubectlTest, { ok }: Verbs): Promise<void> {
  // kubectl edit runs $KUBE_EDITOR on a temporary file and sends the difference as a strategic merge patch.
  const r = await k.kubectl(['edit', 'pod', 'web'], { env: { KUBE_EDITOR: 'sed -i s/tier:\\ front/tier:\\ edited/' }, timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'pod/web edited\n');
  await ok(['get', 'pod', 'web', '-o', 'jsonpath={.metadata.labels.tier}'], 'edited');
  await ok(['patch', 'pod', 'web', '--type=json', '-p', '[{"op":"add","path":"/metadata/labels/patched","value":"yes"}]'], 'pod/web patched\n');
  await ok(['patch', 'pod', 'web', '--type=merge', '-p', '{"metadata":{"labels":{"patched":null}}}'], 'pod/web patched\n');
}

async function configMapsAndSecrets(k: KubectlTest, { ok, fails }: Verbs): Promise<void> {
  await ok(['create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=2'], 'configmap/cfg created\n');
  // Newer kubectl wraps the server's Status as "failed to create configmap"; older ones print it as is.
  await fails(
    ['create', 'configmap', 'cfg', '--from-literal=a=1'],
    /^(error: failed to create configmap: |Error from server \(AlreadyExists\): )configmaps "cfg" already exists\n$/,
  );
  await ok(['create', 'secret', 'generic', 'sec', '--from-literal=p=x'], 'secret/sec created\n');
  await ok(['get', 'configmap', 'cfg'], /^NAME\s+DATA\s+AGE\ncfg\s+2\s+\S+\n$/);
  await ok(['get', 'secret', 'sec'], /^NAME\s+TYPE\s+DATA\s+AGE\nsec\s+Opaque\s+1\s+\S+\n$/);
  await ok(['get', 'secret', 'sec', '-o', 'jsonpath={.data.p}'], Buffer.from('x').toString('base64'));
  await ok(['delete', 'configmap', 'cfg'], 'configmap "cfg" deleted\n');
  await ok(['delete', 'secret', 'sec'], 'secret "sec" deleted\n');
}

async function nodesNamespacesEventsDescribe(k: KubectlTest, { ok }: Verbs): Promise<void> {
  await ok(['get', 'nodes'], /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n\S+\s+Ready\s+<none>\s+\S+\s+v1\.32\.\S+\n$/);
  await ok(
    ['get', 'nodes', '-o', 'wide'],
    /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME\n.*peapod:\/\/\S+\n$/,
  );
  const node = await ok(['describe', 'node']);
  assert.match(node, /^Non-terminated Pods:\s+\(1 in total\)$/m);
  assert.match(node, /^\s+default\s+web\s+0 \(0%\)\s+0 \(0%\)\s+0 \(0%\)\s+0 \(0%\)\s+\S+$/m);
  await ok(['get', 'namespaces'], /^NAME\s+STATUS\s+AGE\ndefault\s+Active\s+\S+\n/);
  await ok(['get', 'events'], /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
  const pod = await ok(['describe', 'pod', 'web']);
  assert.match(pod, /^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n/m);
  assert.match(pod, /Normal\s+Started\s+\S+\s+kubelet\s+Started container main/);
  await ok(['explain', 'pod.spec.containers'], /^(FIELD|RESOURCE): containers <\[\]Object>$/m);
}

async function logsExecCpDebug(k: KubectlTest, { ok, fails }: Verbs): Promise<void> {
  await ok(['logs', 'web', '--timestamps'], /^\d{4}-\d\d-\d\dT\S+ started$/m);
  await fails(['logs', 'web', '--previous'], 'Error from server (BadRequest): previous terminated container "main" in pod "web" not found\n');
  const exit = await k.kubectl(['exec', 'web', '--', 'sh', '-c', 'exit 3']);
  assert.equal(exit.code, 3);
  assert.equal(exit.stderr, 'command terminated with exit code 3\n');
  // The same exec over SPDY, what kubectl falls back to (and what kubectl before 1.29 speaks).
  const spdy = await k.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo over spdy; exit 4'], { env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' } });
  assert.equal(spdy.code, 4);
  assert.equal(spdy.stdout, 'over spdy\n');
  assert.equal(spdy.stderr, 'command terminated with exit code 4\n');
  const local = await k.file('copied.txt', 'copied through exec and tar\n');
  await ok(['cp', local, 'web:/tmp/copied.txt']);
  await ok(['exec', 'web', '--', 'cat', '/tmp/copied.txt'], 'copied through exec and tar\n');
  await ok(['debug', 'web', '--image=busybox', '--container=dbg', '--target=main', '--', 'sh', '-c', 'echo debugged']);
  await waitForLog(k, 'dbg', 'debugged');
  // debug -i: the ephemeral container's own shell, attached to with stdin (not an idle init to exec into),
  // in the target's PID namespace: PID 1 is main's sh.
  const typed = await k.kubectl(['debug', '-i', 'web', '--image=busybox', '--container=dbg-i', '--target=main', '--', 'sh'], {
    input: 'echo typed-$((6*7))\ncat /proc/1/comm\nexit 0\n',
    timeoutMs: 60_000,
  });
  assert.equal(typed.code, 0, typed.stderr);
  assert.match(typed.stdout, /(^|\n)typed-42\nsh\n$/);
}

async function forbiddenUpdateAndRestarts(k: KubectlTest, { ok, fails }: Verbs): Promise<void> {
  const changed = await k.file('web3.yaml', POD('app: web').replace('echo started;', 'echo changed;'));
  await fails(['apply', '-f', changed], /^The Pod "web" is invalid: spec: Forbidden: pod updates may not change fields other than /);
  const crash = await k.file(
    'crash.yaml',
    POD('app: crash')
      .replace('name: web', 'name: crash')
      .replace(/command: .*/, 'command: ["sh", "-c", "echo run; exit 1"]'),
  );
  await ok(['apply', '-f', crash], 'pod/crash created\n');
  await k.until(['get', 'pod', 'crash', '-w'], /^crash\s+0\/1\s+\S+\s+[1-9]\d* \(\d+s ago\)\s+\S+$/m);
  await ok(['logs', 'crash', '--previous', '--timestamps'], /^\d{4}-\d\d-\d\dT\S+ run\n$/);
  await ok(['delete', 'pod', 'crash', '--grace-period=0'], /^pod "crash" deleted\n$/);
}

async function terminalFollowWatch(k: KubectlTest, { ok }: Verbs): Promise<void> {
  // `script` gives kubectl a terminal, so -t really asks for a TTY (kubectl refuses -t on a pipe).
  const tty = await new Promise<string>((resolve, reject) => {
    const child = spawn('script', ['-qec', `kubectl exec -it web -- tty`, '/dev/null'], { env: kubectlEnv(k.kubeconfig) });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
  assert.match(tty, /\/dev\/pts\/\d+/);
  await k.until(['logs', '-f', 'web'], /^started$/m);
  const watched = await k.until(['get', 'pods', '-w'], /^web\s+1\/1\s+Running[^\n]*\n(.*\n)*web\s+1\/1\s+Running/m, async () => {
    await ok(['label', 'pod', 'web', 'watched=yes'], 'pod/web labeled\n');
  });
  assert.match(watched, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
}

test('kubectl verbs: errors, objects, patches, describe, debug, cp', { timeout: 300_000 }, async (t) => {
  const k = await startKubectlTest(t);
  const v = verbs(k);
  const scenarios: [string, (k: KubectlTest, v: Verbs) => Promise<void>][] = [
    ['nothing is served without the client certificate', noClientCertificate],
    ['NotFound, as the API server words it', notFound],
    ['create, AlreadyExists, label, annotate, apply (client- and server-side)', createLabelAnnotateApply],
    ['Invalid with the field path; strict field validation', invalidAndFieldValidation],
    ['Conflict on a stale resourceVersion', staleResourceVersion],
    ['edit and JSON patch', editAndPatch],
    ['configmaps and secrets', configMapsAndSecrets],
    ['nodes, namespaces, events, describe', nodesNamespacesEventsDescribe],
    ['logs --timestamps, --previous, exec exit code, cp, debug', logsExecCpDebug],
    ['a forbidden pod update is Invalid; a restarted container has --previous logs and RESTARTS "(ago)"', forbiddenUpdateAndRestarts],
    ['exec -it with a terminal, logs -f, get -w', terminalFollowWatch],
  ];
  for (const [name, run] of scenarios) await t.test(name, () => run(k, v));

  await v.ok(['delete', 'pod', 'web', '--grace-period=1'], 'pod "web" deleted\n');
  await k.daemon.stop();
  await assertNoLeaks(k.roots.config);
});

async function waitForLog(k: KubectlTest, container: string, text: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await k.kubectl(['logs', 'web', '-c', container]);
    if (r.stdout.includes(text)) return;
    if (Date.now() > deadline) assert.fail(`container ${container} never logged ${JSON.stringify(text)}: ${r.stdout}${r.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
