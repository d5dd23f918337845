import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderServiceRules, proxyChains } from './service-rules.js';
import { parseIptablesSave } from './service-proxy.js';

const web = {
  service: 'default/web',
  portName: 'http',
  protocol: 'tcp' as const,
  clusterIP: '10.96.0.10',
  port: 80,
  nodePort: 30080,
  endpoints: [
    { ip: '10.89.0.2', port: 8080 },
    { ip: '10.89.0.3', port: 8080 },
    { ip: '10.89.0.4', port: 8080 },
  ],
};

test('rules: 1/(n-i) random picks, hairpin mark and DNAT per endpoint, NodePort marked, chains named after the bridge', () => {
  const r = renderServiceRules({ bridge: 'pt0', podSubnet: '10.89.0.0/16', ports: [web] });
  const c = proxyChains('pt0');
  const picks = r.nat.filter((l) => l.includes('-m statistic'));
  assert.deepEqual(
    picks.map((l) => /--probability (\S+)/.exec(l)?.[1]),
    ['0.3333333333', '0.5000000000'],
  );
  // The last endpoint is taken unconditionally.
  const svcChain = [...r.chains].find((n) => n.startsWith(c.servicePrefix)) ?? '';
  const jumps = r.nat.filter((l) => l.startsWith(`-A ${svcChain} `) && / -j PPE-pt0-/.test(l));
  assert.equal(jumps.length, 3);
  assert.ok(!jumps[2]?.includes('statistic'));
  assert.equal(r.nat.filter((l) => / -j DNAT --to-destination 10\.89\.0\.\d:8080$/.test(l)).length, 3);
  assert.ok(r.nat.some((l) => l.includes('-s 10.89.0.2/32') && l.endsWith(`-j ${c.mark}`)));
  assert.ok(r.nat.some((l) => l.startsWith(`-A ${c.nodePorts} `) && l.includes('--dport 30080') && l.endsWith(`-j ${c.mark}`)));
  assert.ok(r.nat.some((l) => l.startsWith(`-A ${svcChain} ! -s 10.89.0.0/16 -d 10.96.0.10/32`)));
  assert.ok([...r.chains].every((n) => n.length <= 28 && n.includes('pt0')));
  // The NodePort jump comes last in the services chain, after every cluster IP.
  const services = r.nat.filter((l) => l.startsWith(`-A ${c.services} `));
  assert.ok(services[services.length - 1]?.endsWith(`-j ${c.nodePorts}`));
});

test('rules: no endpoints → REJECT in filter, no nat chain; headless → nothing; ClientIP affinity → recent', () => {
  const r = renderServiceRules({
    bridge: 'pt0',
    podSubnet: '10.89.0.0/16',
    ports: [
      { ...web, endpoints: [] },
      { ...web, service: 'default/h', clusterIP: undefined },
      {
        service: 'default/sticky',
        portName: '',
        protocol: 'tcp',
        clusterIP: '10.96.0.11',
        port: 80,
        affinitySeconds: 60,
        endpoints: [{ ip: '10.89.0.2', port: 8080 }],
      },
    ],
  });
  assert.equal(r.filter.filter((l) => l.endsWith('-j REJECT')).length, 2);
  assert.ok(!r.nat.some((l) => l.includes('default/h')));
  assert.ok(r.nat.some((l) => l.includes('--rcheck --seconds 60 --reap')));
  assert.ok(r.nat.some((l) => l.includes('-m recent --name PPE-pt0-') && l.includes('--set')));
});

test('iptables-save parsing: chains and rules by table', () => {
  const t = parseIptablesSave('*nat\n:PREROUTING ACCEPT [0:0]\n:PPSVC-pt0 - [0:0]\n-A PREROUTING -j PPSVC-pt0\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n');
  assert.deepEqual(t.get('nat'), { chains: ['PREROUTING', 'PPSVC-pt0'], rules: ['-A PREROUTING -j PPSVC-pt0'] });
  assert.deepEqual(t.get('filter')?.chains, ['INPUT']);
});
