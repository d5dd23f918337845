// The Prometheus endpoint on a loopback port, read by a real parser (python3-prometheus-client's
// text_string_to_metric_families): cAdvisor's container metrics labelled by namespace/pod/container,
// the kubelet's running counts, peapod's pod start histogram, in-flight gauge and errors by kind; and
// `peapod top` from the same samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runUnchecked } from '../../src/host/exec.js';
import { assertNoLeaks, runCli } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';
import { freePort } from '../image/helpers/registry.js';

interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}
interface ParsedFamily {
  readonly name: string;
  readonly type: string;
  readonly samples: ParsedSample[];
}

const PARSER = `
import sys, json
from prometheus_client.parser import text_string_to_metric_families
out = [{"name": f.name, "type": f.type, "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]} for f in text_string_to_metric_families(sys.stdin.read())]
print(json.dumps(out))
`;

async function parse(text: string): Promise<ParsedFamily[]> {
  // Debian's python3 (not a pyenv shim): python3-prometheus-client is installed there by scripts/setup.sh.
  const r = await runUnchecked('/usr/bin/python3', ['-c', PARSER], { input: text, timeoutMs: 30_000 });
  assert.equal(r.code, 0, `the Prometheus parser refused the exposition: ${r.stderr}`);
  return JSON.parse(r.stdout) as ParsedFamily[];
}

test('metrics endpoint: cAdvisor and kubelet names, peapod counters, a real parser; peapod top', { timeout: 120_000 }, async (t) => {
  const port = await freePort();
  const frame = await startPodTest(t, { metricsAddress: `127.0.0.1:${port}` });
  const { roots, env, daemon } = frame;
  await frame.apply(
    'burn.yaml',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: burn}\nspec:\n  containers: [{name: c, image: busybox, imagePullPolicy: IfNotPresent, resources: {limits: {memory: 64Mi}}, command: ["sh", "-c", "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; sleep 3600"]}]\n',
  );
  const waited = await runCli(env, ['apply', '-f', `${roots.dir}/burn.yaml`, '--wait']);
  assert.equal(waited.code, 0, waited.stderr);
  assert.notEqual((await runCli(env, ['get', 'pod', 'nope'])).code, 0);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // some CPU time for the loop

  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const families = await parse(await response.text());
  const sample = (name: string, labels: Record<string, string> = {}): ParsedSample | undefined =>
    families.flatMap((f) => f.samples).find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  const ours = { namespace: 'default', pod: 'burn', container: 'c' };
  assert.ok((sample('container_cpu_usage_seconds_total', ours)?.value ?? 0) > 0, 'CPU time of the container');
  assert.ok((sample('container_memory_working_set_bytes', ours)?.value ?? 0) > 0, 'working set of the container');
  assert.equal(sample('container_spec_memory_limit_bytes', ours)?.value, 64 * 1024 * 1024);
  assert.ok((sample('kubelet_running_pods')?.value ?? 0) >= 1);
  assert.equal(sample('kubelet_running_containers', { container_state: 'running' })?.value, 1);
  assert.equal(families.find((f) => f.name === 'peapod_pod_start_duration_seconds')?.type, 'histogram');
  assert.equal(sample('peapod_pod_start_duration_seconds_count')?.value, 1, 'one pod started');
  assert.ok((sample('peapod_errors_total', { kind: 'NotFound' })?.value ?? 0) >= 1, 'the failed get counted by kind');
  assert.equal(families.find((f) => f.name === 'peapod_operations_in_flight')?.type, 'gauge');
  assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);

  const pods = await runCli(env, ['top', 'pods']);
  assert.equal(pods.code, 0, pods.stderr);
  assert.match(pods.stdout, /^NAMESPACE\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\ndefault\s+burn\s+\d+m\s+\d+Mi\n$/);
  const containers = await runCli(env, ['top', 'containers']);
  assert.match(containers.stdout, /^default\s+burn\s+c\s+\d+m\s+\d+Mi$/m);

  assert.equal((await runCli(env, ['delete', 'pod', 'burn', '--now'])).code, 0);
  await daemon.stop();
  await assertNoLeaks(roots.config);
});
