// Services end to end with real runc, traffic only between the test's own pods and on loopback: a
// ClusterIP Service over two busybox httpd pods (a third, never ready, gets nothing), its named
// targetPort, the cluster DNS (by name, by search path, headless → pod IPs, NXDOMAIN), a NodePort on
// 127.0.0.1, a pod reaching its own Service (hairpin), and after delete no chain, rule or record left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { randomInt } from 'node:crypto';
import { assertNoLeaks, runCli, waitFor } from '../helpers/leaks.js';
import { startPodTest } from '../helpers/pod-test.js';
import { startDaemon } from '../helpers/daemon.js';
import { runUnchecked } from '../../src/host/exec.js';
import { ownedChainPrefixes } from '../../src/host/network/service-rules.js';

const REQUESTS = 40;

function backend(name: string, readiness: string, extraSpec = ''): string {
  return `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: { app: web }
spec:
  terminationGracePeriodSeconds: 1${extraSpec}
  containers:
    - name: httpd
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "mkdir -p /www && echo ${name} > /www/index.html && exec httpd -f -p 8080 -h /www"]
      ports: [{ name: web-http, containerPort: 8080 }]
      readinessProbe:
        ${readiness}
        periodSeconds: 1
---`;
}

function manifest(nodePort: number): string {
  return `${backend('web-a', 'httpGet: { path: /index.html, port: web-http }', '\n  hostname: web-a\n  subdomain: web-headless')}
${backend('web-b', 'httpGet: { path: /index.html, port: web-http }')}
${backend('web-c', 'exec: { command: ["test", "-e", "/never"] }')}
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: { app: web }
  ports:
    - name: http
      port: 80
      targetPort: web-http
      nodePort: ${nodePort}
---
apiVersion: v1
kind: Service
metadata:
  name: web-headless
spec:
  clusterIP: None
  selector: { app: web }
  ports: [{ name: http, port: 8080 }]
---
apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: sh
      image: busybox
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]
`;
}

interface PodJson {
  status: { podIP?: string; conditions?: { type: string; status: string }[]; phase?: string };
}
interface ServiceJson {
  spec: { clusterIP: string; ports: { nodePort?: number }[] };
}

async function execIn(env: NodeJS.ProcessEnv, pod: string, script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(env, ['exec', pod, '--', 'sh', '-c', script], { timeoutMs: 90_000 });
}

async function ourChains(bridge: string): Promise<string[]> {
  const saved = await runUnchecked('iptables-save', [], { timeoutMs: 10_000 });
  const prefixes = ownedChainPrefixes(bridge);
  return saved.stdout
    .split('\n')
    .filter((l) => l.startsWith(':') && prefixes.some((p) => l.slice(1).startsWith(p)))
    .map((l) => l.slice(1).split(' ')[0] ?? '');
}

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/index.html', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

test('a Service spreads over its ready pods by cluster IP, name and NodePort; DNS; delete leaves nothing', { timeout: 300_000 }, async (t) => {
  const podTest = await startPodTest(t);
  const { env, roots } = podTest;
  let daemon = podTest.daemon;
  t.after(() => daemon.stop().catch(() => undefined));
  const pod = <T>(name: string): Promise<T | undefined> => podTest.pod<T>(name);
  const nodePort = 30000 + randomInt(0, 2700);
  await podTest.apply('app.yaml', manifest(nodePort));
  const ready = async (name: string) => (await pod<PodJson>(name))?.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
  await waitFor(async () => (await ready('web-a')) && (await ready('web-b')) && (await pod<PodJson>('client'))?.status.phase === 'Running', {
    timeoutMs: 60_000,
    intervalMs: 250,
    description: 'web-a, web-b ready and client running',
  });
  const ipOf = async (name: string) => (await pod<PodJson>(name))?.status.podIP ?? '';
  const [ipA, ipB, ipC] = [await ipOf('web-a'), await ipOf('web-b'), await waitFor(() => ipOf('web-c'), { timeoutMs: 30_000, description: 'web-c IP' })];
  assert.equal(
    (await pod<PodJson>('web-c'))?.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    false,
  );

  const svc = JSON.parse((await runCli(env, ['get', 'svc', 'web', '-o', 'json'])).stdout) as ServiceJson;
  const clusterIP = svc.spec.clusterIP;
  assert.ok(clusterIP.startsWith(roots.config.serviceCidr.split('.').slice(0, 3).join('.')), `${clusterIP} in ${roots.config.serviceCidr}`);
  assert.equal(svc.spec.ports[0]?.nodePort, nodePort);

  // The slice: three endpoints, web-c not ready, the named port resolved to 8080.
  const slices = await waitFor(
    async () => {
      const r = await runCli(env, ['get', 'endpointslices', '-o', 'json']);
      const list = JSON.parse(r.stdout) as {
        items: {
          metadata: { labels: Record<string, string> };
          ports: { port: number }[];
          endpoints: { addresses: string[]; conditions: { ready: boolean } }[];
        }[];
      };
      const web = list.items.find((s) => s.metadata.labels['kubernetes.io/service-name'] === 'web');
      return web && web.endpoints.filter((e) => e.conditions.ready).length === 2 ? web : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 250, description: 'the web EndpointSlice with 2 ready endpoints' },
  );
  assert.deepEqual(
    slices.ports.map((p) => p.port),
    [8080],
  );
  assert.equal(slices.endpoints.find((e) => e.addresses[0] === ipC)?.conditions.ready, false);
  const table = await runCli(env, ['get', 'svc']);
  assert.match(table.stdout, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/m);
  assert.match(table.stdout, new RegExp(`^web\\s+NodePort\\s+${clusterIP.replace(/\./g, '\\.')}\\s+<none>\\s+80:${nodePort}/TCP\\s+\\d+s$`, 'm'));
  assert.match(table.stdout, /^web-headless\s+ClusterIP\s+None\s+<none>\s+8080\/TCP\s/m);

  // N requests by cluster IP from the client: both ready backends answer, the not-ready one never.
  const byIp = await execIn(env, 'client', `for i in $(seq ${REQUESTS}); do timeout 5 wget -q -O - http://${clusterIP}/index.html || echo FAILED; done`);
  const answers = byIp.stdout.trim().split('\n');
  assert.equal(answers.length, REQUESTS, byIp.stderr);
  assert.deepEqual([...new Set(answers)].sort(), ['web-a', 'web-b'], byIp.stdout);

  // The kubelet's Service variables in a pod created after the Service.
  const vars = await execIn(env, 'client', 'echo "$WEB_SERVICE_HOST $WEB_SERVICE_PORT_HTTP $WEB_PORT"');
  assert.equal(vars.stdout.trim(), `${clusterIP} 80 tcp://${clusterIP}:80`);

  // By name: the FQDN and the short name through the pod's search path; the resolv.conf the kubelet writes.
  const resolv = await execIn(env, 'client', 'cat /etc/resolv.conf');
  assert.match(resolv.stdout, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/m);
  assert.match(resolv.stdout, /^options ndots:5$/m);
  const byName = await execIn(
    env,
    'client',
    'timeout 10 wget -q -O - http://web.default.svc.cluster.local/index.html; timeout 10 wget -q -O - http://web/index.html',
  );
  assert.match(byName.stdout.trim(), /^web-[ab]\nweb-[ab]$/, byName.stderr);
  const lookup = await execIn(env, 'client', 'nslookup web-headless.default.svc.cluster.local; nslookup nothing.default.svc.cluster.local');
  assert.ok(lookup.stdout.includes(ipA) && lookup.stdout.includes(ipB), lookup.stdout);
  assert.ok(!lookup.stdout.includes(ipC), `not-ready ${ipC} must not be listed: ${lookup.stdout}`);
  assert.match(lookup.stdout + lookup.stderr, /NXDOMAIN/);

  // A pod with hostname and subdomain has its own name under the headless Service (what a StatefulSet's pods get).
  const own = await execIn(env, 'client', 'nslookup web-a.web-headless.default.svc.cluster.local');
  assert.ok(own.stdout.includes(ipA), own.stdout);

  // Hairpin: a backend reaching its own Service gets answers whichever endpoint is picked.
  const hairpin = await execIn(env, 'web-a', `for i in $(seq 10); do timeout 5 wget -q -O - http://${clusterIP}/index.html || echo FAILED; done`);
  assert.ok(!hairpin.stdout.includes('FAILED') && hairpin.stdout.trim().split('\n').length === 10, hairpin.stdout);

  // NodePort on the host's loopback.
  assert.match(await httpGet(nodePort), /^web-[ab]$/);

  const described = await runCli(env, ['describe', 'svc', 'web']);
  assert.match(described.stdout, new RegExp(`^IP:\\s+${clusterIP.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(described.stdout, /^TargetPort:\s+web-http\/TCP$/m);
  assert.match(described.stdout, new RegExp(`^NodePort:\\s+http  ${nodePort}/TCP$`, 'm'));
  assert.match(described.stdout, new RegExp(`^Endpoints:\\s+(${ipA}|${ipB}):8080,(${ipA}|${ipB}):8080$`, 'm'));
  const sliceTable = await runCli(env, ['get', 'endpointslices']);
  assert.match(sliceTable.stdout, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/m);
  assert.match(sliceTable.stdout, /^web-[0-9a-f]{5}\s+IPv4\s+8080\s+\S+\s+\d+s$/m);

  // web-b turns not ready (its probe's file goes): it leaves the rules, every request lands on web-a.
  assert.equal((await execIn(env, 'web-b', 'rm /www/index.html')).code, 0);
  await waitFor(async () => !(await ready('web-b')), { timeoutMs: 20_000, intervalMs: 250, description: 'web-b to turn not ready' });
  const onlyA = await waitFor(
    async () => {
      const r = await execIn(env, 'client', `for i in $(seq 10); do timeout 5 wget -q -O - http://${clusterIP}/index.html || echo FAILED; done`);
      return [...new Set(r.stdout.trim().split('\n'))].join(',') === 'web-a' ? r : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 500, description: 'only web-a to answer once web-b is not ready' },
  );
  assert.equal(onlyA.stdout.trim().split('\n').length, 10);

  // An explicit free cluster IP is honoured; one outside the range is refused with the API server's words.
  const base = roots.config.serviceCidr.split('/')[0]?.split('.').slice(0, 3).join('.') ?? '';
  await podTest.apply(
    'pinned.yaml',
    `apiVersion: v1\nkind: Service\nmetadata: { name: pinned }\nspec: { clusterIP: ${base}.200, selector: { app: web }, ports: [{ port: 81, targetPort: 8080 }] }\n`,
  );
  assert.equal((JSON.parse((await runCli(env, ['get', 'svc', 'pinned', '-o', 'json'])).stdout) as ServiceJson).spec.clusterIP, `${base}.200`);
  const refused = await podTest
    .apply('outside.yaml', 'apiVersion: v1\nkind: Service\nmetadata: { name: outside }\nspec: { clusterIP: 192.0.2.1, ports: [{ port: 80 }] }\n')
    .catch((err: unknown) => String(err));
  assert.match(refused, /spec\.clusterIP: Invalid value: "192\.0\.2\.1": provided IP is not in the valid range/);

  // A daemon killed and started again keeps the cluster IP (it is in the stored Service) and serves it.
  await daemon.kill();
  daemon = await startDaemon(roots);
  const again = JSON.parse((await runCli(env, ['get', 'svc', 'web', '-o', 'json'])).stdout) as ServiceJson;
  assert.equal(again.spec.clusterIP, clusterIP);
  const afterRestart = await execIn(env, 'client', 'timeout 10 wget -q -O - http://web/index.html');
  assert.equal(afterRestart.stdout.trim(), 'web-a', afterRestart.stderr);

  // Delete: the per-Service chains go at once, the name stops resolving.
  assert.equal((await runCli(env, ['delete', 'svc', 'web', 'web-headless', 'pinned'])).code, 0);
  await waitFor(async () => (await ourChains(roots.config.bridge)).every((c) => !/^PP[SE]-/.test(c)), {
    timeoutMs: 10_000,
    intervalMs: 200,
    description: 'the per-Service chains to be removed',
  });
  const gone = await execIn(env, 'client', 'nslookup web.default.svc.cluster.local');
  assert.match(gone.stdout + gone.stderr, /NXDOMAIN/);
  const left = JSON.parse((await runCli(env, ['get', 'endpointslices', '-o', 'json'])).stdout) as { items: unknown[] };
  assert.equal(left.items.length, 0);

  assert.equal((await runCli(env, ['delete', 'pod', 'web-a', 'web-b', 'web-c', 'client'])).code, 0);
  await daemon.stop();
  assert.deepEqual(await ourChains(roots.config.bridge), []);
  await assertNoLeaks(roots.config);
});
