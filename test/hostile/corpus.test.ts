// Hostile and broken manifests against a real daemon (issue 6): every corpus case is applied through the
// daemon's API (POST /v1/apply/manifests, what `peapod apply -f` sends) and a sample through the real CLI.
// Each must be refused with an error naming the field path, create nothing (no pod, no record, no file),
// and leave the daemon alive and answering; at the end the host holds nothing of the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { paths } from '../../src/common/config.js';
import { ApiClient } from '../../src/api/client.js';
import type { ApplyManifestsResult, PodView } from '../../src/api/routes/pods.js';
import { PeapodError, errorMessage } from '../../src/common/errors.js';
import { parseManifests } from '../../src/kube/load.js';
import { makeTestRoots, type TestRoots } from '../helpers/roots.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assertNoLeaks, runCli } from '../helpers/leaks.js';
import { basePodYaml, buildCorpus, caseBytes, caseText, type CorpusCase } from './corpus.js';

/** One API call of a case (the 10 000-deep and 5 MB cases take well under a second). */
const CALL_TIMEOUT_MS = 15_000;
const CLI_CASE_TIMEOUT_MS = 30_000;
const MIN_CORPUS_SIZE = 220;
const CLI_SAMPLE_SIZE = 20;
/** Cases the CLI sample always holds: the ones whose reading, not parsing, is the point. */
const CLI_MUST = ['empty-file', 'garbage-random-1', 'garbage-utf16', 'huge-annotation-5mb', 'multi-good-pod-then-bad-pod', 'billion-laughs', 'deep-flow-lists'];

const NEEDS_ROOT = process.getuid?.() === 0 ? false : 'needs root (runs a real daemon)';

const corpus = buildCorpus();

function cliSample(cases: readonly CorpusCase[]): CorpusCase[] {
  const chosen = new Map<string, CorpusCase>();
  for (const id of CLI_MUST) {
    const c = cases.find((x) => x.id === id);
    if (c) chosen.set(id, c);
  }
  const step = Math.max(1, Math.floor(cases.length / (CLI_SAMPLE_SIZE - chosen.size)));
  for (let i = 0; i < cases.length && chosen.size < CLI_SAMPLE_SIZE; i += step) {
    const c = cases[i];
    if (c) chosen.set(c.id, c);
  }
  return [...chosen.values()];
}

/** Every file below `dir`, sorted: what the daemon keeps must not change when it refuses a manifest. */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.map((e) => `${join(e.parentPath, e.name)}${e.isDirectory() ? '/' : ''}`).sort();
}

async function stateFiles(roots: TestRoots): Promise<string[]> {
  return [...(await filesBelow(roots.config.root)), ...(await filesBelow(roots.config.runRoot))];
}

function assertAlive(daemon: TestDaemon, after: string): void {
  assert.equal(daemon.child.exitCode, null, `the daemon exited (code ${String(daemon.child.exitCode)}) after ${after}:\n${daemon.output().slice(-4000)}`);
  assert.equal(daemon.child.signalCode, null, `the daemon was killed (${String(daemon.child.signalCode)}) after ${after}`);
}

function assertNamesAll(message: string, c: CorpusCase): void {
  for (const fragment of c.expect) {
    assert.ok(message.includes(fragment), `the error of ${c.id} does not name ${JSON.stringify(fragment)}:\n${message.slice(0, 2000)}`);
  }
}

test('the corpus is broad, its ids are unique, and its base pod is valid', () => {
  assert.ok(corpus.length >= MIN_CORPUS_SIZE, `only ${corpus.length} cases`);
  const ids = corpus.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, 'duplicate case ids');
  for (const id of ids) assert.match(id, /^[A-Za-z0-9][A-Za-z0-9._-]*$/);
  for (const c of corpus) assert.ok(c.expect.length > 0, `${c.id} expects nothing`);
  // Every generated case differs from this in one place, so its error is that place's.
  const base = parseManifests([{ file: 'base.yaml', text: basePodYaml() }], 'base.yaml');
  assert.equal(base.objects.length, 1);
  assert.deepEqual(base.warnings, []);
});

test('every corpus case is refused with its field path, creates nothing, and the daemon stays up', { skip: NEEDS_ROOT, timeout: 20 * 60_000 }, async (t) => {
  const started = Date.now();
  const roots = await makeTestRoots();
  const daemon = await startDaemon(roots);
  t.after(async () => {
    await daemon.kill().catch(() => undefined);
    await roots.cleanup();
  });
  const env = roots.env();
  const api = new ApiClient(roots.config.socket);
  const listPods = (): Promise<PodView[]> => api.call<PodView[]>('GET', '/v1/pods', { query: { all: true }, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  const before = await stateFiles(roots);

  await t.test(`${corpus.length} cases through POST /v1/apply/manifests`, async (apiCases) => {
    for (const c of corpus) {
      await apiCases.test(c.id, async () => {
        const file = `${c.id}.yaml`;
        const outcome = await api
          .call<ApplyManifestsResult>('POST', '/v1/apply/manifests', {
            body: { source: file, sources: [{ file, text: caseText(c) }] },
            signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
          })
          .then(
            (result) => ({ result }),
            (err: unknown) => ({ err }),
          );
        assertAlive(daemon, c.id);
        if ('result' in outcome) assert.fail(`${c.id} was accepted: ${JSON.stringify(outcome.result.results)}`);
        const err = outcome.err;
        assert.ok(err instanceof PeapodError, `${c.id}: not an answer of the daemon: ${errorMessage(err)}`);
        assert.equal(err.code, 'InvalidArgument', `${c.id}: answered ${err.code} (not HTTP 400): ${err.message.slice(0, 1000)}`);
        assertNamesAll(err.message, c);
        // Nothing created, and the daemon still answers.
        assert.deepEqual(
          (await listPods()).map((v) => v.pod.metadata.name),
          [],
          `${c.id} created pods`,
        );
        assert.deepEqual(await stateFiles(roots), before, `${c.id} left files in the daemon's roots`);
      });
    }
  });

  const dir = join(roots.dir, 'cases');
  await mkdir(dir);
  const sample = cliSample(corpus);
  await t.test(`${sample.length} cases through peapod apply -f`, async (cliCases) => {
    for (const c of sample) {
      await cliCases.test(c.id, async () => {
        const file = join(dir, `${c.id}.yaml`);
        await writeFile(file, caseBytes(c));
        const r = await runCli(env, ['apply', '-f', file], { timeoutMs: CLI_CASE_TIMEOUT_MS });
        assert.notEqual(r.code, 0, `${c.id} was accepted: ${r.stdout}`);
        assert.equal(r.stdout, '', `${c.id}: apply printed ${r.stdout}`);
        assert.match(r.stderr, /^error: /, `${c.id}: ${r.stderr.slice(0, 1000)}`);
        assertNamesAll(r.stderr, c);
        assertAlive(daemon, c.id);
        const pods = await runCli(env, ['get', 'pods', '-A', '-o', 'json'], { timeoutMs: CLI_CASE_TIMEOUT_MS });
        assert.equal(pods.code, 0, pods.stderr);
        assert.deepEqual((JSON.parse(pods.stdout) as { items: unknown[] }).items, [], `${c.id} created pods`);
        assert.deepEqual(await stateFiles(roots), before, `${c.id} left files in the daemon's roots`);
      });
    }
  });

  const listed = await runCli(env, ['get', 'pods'], { timeoutMs: CLI_CASE_TIMEOUT_MS });
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stderr, /No resources found/);
  // A refused manifest is the client's error: nothing of it reached the daemon's error log (stack traces).
  assert.doesNotMatch(daemon.output(), /^\s+at .*\(.*:\d+:\d+\)$/m, daemon.output().slice(-4000));
  await daemon.stop();
  await assertNoLeaks(roots.config);
  t.diagnostic(`${corpus.length} API cases, ${sample.length} CLI cases in ${Date.now() - started} ms`);
});

test('names at their limits are stored whole: a 253-character ConfigMap in a 63-character namespace', { skip: NEEDS_ROOT, timeout: 120_000 }, async (t) => {
  const roots = await makeTestRoots();
  const daemon = await startDaemon(roots);
  t.after(async () => {
    await daemon.kill().catch(() => undefined);
    await roots.cleanup();
  });
  const env = roots.env();
  const namespace = 'n'.repeat(63);
  const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
  assert.equal(long.length, 253);
  const file = join(roots.dir, 'limits.yaml');
  await writeFile(
    file,
    [
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: short\n  namespace: ${namespace}\ndata:\n  k: v\n`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${long}\n  namespace: ${namespace}\ndata:\n  k: v\n`,
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${long}\n  namespace: ${namespace}\nstringData:\n  k: v\n`,
    ].join('---\n'),
  );
  // Before the fix the second document failed ("invalid record id") after the first was stored.
  const applied = await runCli(env, ['apply', '-f', file]);
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal(applied.stdout, `configmap/short created\nconfigmap/${long} created\nsecret/${long} created\n`);
  const again = await runCli(env, ['apply', '-f', file]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`^configmap/${long} unchanged$`, 'm'));
  const deleted = await runCli(env, ['delete', '-f', file]);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(deleted.stdout, `configmap "short" deleted\nconfigmap "${long}" deleted\nsecret "${long}" deleted\n`);
  assert.deepEqual(
    (await filesBelow(paths(roots.config).objectRecords)).filter((f) => !f.endsWith('/')),
    [],
  );
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
