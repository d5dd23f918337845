import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { parseCidr } from '../common/ipv4.js';
import type { Pod } from '../kube/types.js';
import type { Service } from '../kube/service-types.js';
import { admitService } from './admission.js';
import { desiredEndpointSlices, type EndpointPod } from './endpoint-slices.js';
import { proxyPorts } from './proxy-model.js';
import { ClusterDnsZone } from './dns-records.js';
import { startDnsServer } from './dns-server.js';

const range = parseCidr('10.96.0.0/24', 'serviceCidr');

function svc(name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec };
}

function pod(name: string, ip: string | undefined, ready: boolean, extra: Partial<Pod['spec']> = {}, labels = { app: 'web' }): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels },
    spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }], ...extra },
    status: { phase: 'Running', ...(ip ? { podIP: ip } : {}), conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

test('admission: defaults, allocates a free cluster IP in range, honours a free explicit one, refuses a taken or foreign one, keeps it on update', () => {
  const first = admitService(svc('a', { selector: { app: 'web' }, ports: [{ port: 80 }] }), { range, existing: [], random: () => 0 });
  assert.equal(first.spec.clusterIP, '10.96.0.1');
  assert.deepEqual(first.spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  assert.equal(first.spec.sessionAffinity, 'None');
  const second = admitService(svc('b', { ports: [{ port: 80 }] }), { range, existing: [first], random: () => 0 });
  assert.equal(second.spec.clusterIP, '10.96.0.2');
  const explicit = admitService(svc('c', { clusterIP: '10.96.0.77', ports: [{ port: 80 }] }), { range, existing: [first], random: () => 0 });
  assert.equal(explicit.spec.clusterIP, '10.96.0.77');
  assert.throws(
    () => admitService(svc('d', { clusterIP: '10.96.0.1', ports: [{ port: 80 }] }), { range, existing: [first] }),
    /spec.clusterIP: .*already allocated/,
  );
  assert.throws(
    () => admitService(svc('d', { clusterIP: '10.97.0.1', ports: [{ port: 80 }] }), { range, existing: [] }),
    /not in the valid range.*10.96.0.0\/24/,
  );
  const again = admitService(svc('a', { selector: { app: 'other' }, ports: [{ port: 81 }] }), { range, existing: [first, second] });
  assert.equal(again.spec.clusterIP, '10.96.0.1');
  assert.throws(() => admitService(svc('a', { clusterIP: '10.96.0.9', ports: [{ port: 80 }] }), { range, existing: [first] }), /field is immutable/);
  const headless = admitService(svc('h', { clusterIP: 'None', selector: { app: 'web' } }), { range, existing: [] });
  assert.equal(headless.spec.clusterIP, 'None');
});

test('admission: NodePorts allocated in 30000-32767, kept on update, a taken one refused', () => {
  const a = admitService(svc('a', { type: 'NodePort', ports: [{ port: 80 }] }), { range, existing: [], random: () => 0 });
  assert.equal(a.spec.ports?.[0]?.nodePort, 30000);
  const kept = admitService(svc('a', { type: 'NodePort', ports: [{ port: 80 }] }), { range, existing: [a], random: () => 0.5 });
  assert.equal(kept.spec.ports?.[0]?.nodePort, 30000);
  assert.throws(
    () => admitService(svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30000 }] }), { range, existing: [a] }),
    /nodePort: .*already allocated/,
  );
  const back = admitService(svc('a', { ports: [{ port: 80 }] }), { range, existing: [a] });
  assert.equal(back.spec.ports?.[0]?.nodePort, undefined);
});

test('endpoint slices: selected pods with IPs, ready/serving/terminating, named target ports per pod, hostname by subdomain', () => {
  const service = svc('web', { selector: { app: 'web' }, clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
  const pods: EndpointPod[] = [
    { pod: pod('a', '10.1.0.2', true, { hostname: 'a', subdomain: 'web' }), terminating: false },
    { pod: pod('b', '10.1.0.3', false), terminating: false },
    { pod: pod('c', '10.1.0.4', true), terminating: true },
    { pod: pod('d', undefined, true), terminating: false },
    { pod: pod('e', '10.1.0.6', true, {}, { app: 'other' }), terminating: false },
  ];
  const slices = desiredEndpointSlices(service, pods);
  assert.equal(slices.length, 1);
  const [slice] = slices;
  assert.deepEqual(slice?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(
    slice?.endpoints.map((e) => [e.targetRef?.name, e.addresses[0], e.conditions, e.hostname]),
    [
      ['a', '10.1.0.2', { ready: true, serving: true, terminating: false }, 'a'],
      ['b', '10.1.0.3', { ready: false, serving: false, terminating: false }, undefined],
      ['c', '10.1.0.4', { ready: false, serving: true, terminating: true }, undefined],
    ],
  );
  assert.equal(slice?.metadata.labels?.['kubernetes.io/service-name'], 'web');
  const ports = proxyPorts([service], slices);
  assert.deepEqual(ports[0]?.endpoints, [{ ip: '10.1.0.2', port: 8080 }]);
});

test('dns zone: cluster IP, headless pod IPs and hostnames, SRV, NXDOMAIN vs empty non-terminal, foreign names not ours', () => {
  const web = svc('web', { selector: { app: 'web' }, clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] });
  const headless = svc('db', { selector: { app: 'web' }, clusterIP: 'None', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] });
  const pods = [
    { pod: pod('db-0', '10.1.0.2', true, { hostname: 'db-0', subdomain: 'db' }), terminating: false },
    { pod: pod('x', '10.1.0.3', false), terminating: false },
  ];
  const zone = new ClusterDnsZone([web, headless], [...desiredEndpointSlices(web, pods), ...desiredEndpointSlices(headless, pods)]);
  assert.deepEqual(
    zone.lookup('web.default.svc.cluster.local.', 'A')?.answers.map((a) => a.data),
    ['10.96.0.5'],
  );
  assert.deepEqual(
    zone.lookup('db.default.svc.cluster.local', 'A')?.answers.map((a) => a.data),
    ['10.1.0.2'],
  );
  assert.deepEqual(
    zone.lookup('db-0.db.default.svc.cluster.local', 'A')?.answers.map((a) => a.data),
    ['10.1.0.2'],
  );
  assert.deepEqual(zone.lookup('_http._tcp.web.default.svc.cluster.local', 'SRV')?.answers[0]?.data, {
    priority: 0,
    weight: 100,
    port: 80,
    target: 'web.default.svc.cluster.local',
  });
  assert.equal(zone.lookup('_http._tcp.db.default.svc.cluster.local', 'SRV')?.answers.length, 1);
  assert.equal(zone.lookup('nope.default.svc.cluster.local', 'A')?.rcode, 'NXDOMAIN');
  const aaaa = zone.lookup('web.default.svc.cluster.local', 'AAAA');
  assert.equal(aaaa?.rcode, 'NOERROR');
  assert.equal(aaaa?.answers.length, 0);
  assert.equal(zone.lookup('default.svc.cluster.local', 'A')?.rcode, 'NOERROR');
  assert.equal(zone.lookup('example.com', 'A'), undefined);
  assert.equal(zone.lookup('5.0.96.10.in-addr.arpa', 'PTR')?.answers[0]?.data, 'web.default.svc.cluster.local');
});

async function udpQuery(port: number, name: string, type: string): Promise<ReturnType<typeof dnsPacket.decode>> {
  const socket = createSocket('udp4');
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no DNS answer in 3 s')), 3000);
      socket.on('message', (msg) => {
        clearTimeout(timer);
        resolve(dnsPacket.decode(msg));
      });
      socket.send(dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type }] }), port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

test('dns server: answers the zone over UDP and TCP, forwards other names, SERVFAIL when no upstream answers', async (t) => {
  const zone = new ClusterDnsZone([svc('web', { clusterIP: '10.96.0.5', ports: [{ port: 80 }] })], []);
  // A fake upstream on loopback that answers every A query with 192.0.2.1.
  const upstream = createSocket('udp4');
  upstream.on('message', (msg, peer) => {
    const q = dnsPacket.decode(msg);
    upstream.send(
      dnsPacket.encode({
        type: 'response',
        id: q.id ?? 0,
        flags: 0,
        questions: q.questions ?? [],
        answers: [{ name: q.questions?.[0]?.name ?? '', type: 'A', ttl: 30, data: '192.0.2.1' }],
      }),
      peer.port,
      peer.address,
    );
  });
  await new Promise<void>((ok) => upstream.bind(0, '127.0.0.1', ok));
  const upstreamPort = (upstream.address() as { port: number }).port;
  let upstreams = [{ host: '127.0.0.1', port: upstreamPort }];
  const server = await startDnsServer({ host: '127.0.0.1', port: 0, zone: () => zone, upstreams: () => upstreams, log: () => undefined });
  t.after(async () => {
    await server.close();
    upstream.close();
  });
  const local = await udpQuery(server.port, 'web.default.svc.cluster.local', 'A');
  assert.equal(local.rcode, 'NOERROR');
  assert.deepEqual(
    local.answers?.map((a) => a.data),
    ['10.96.0.5'],
  );
  assert.equal((await udpQuery(server.port, 'gone.default.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
  const forwarded = await udpQuery(server.port, 'example.org', 'A');
  assert.deepEqual(
    forwarded.answers?.map((a) => a.data),
    ['192.0.2.1'],
  );

  const tcpAnswer = await new Promise<ReturnType<typeof dnsPacket.decode>>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: server.port });
    const query = dnsPacket.encode({ type: 'query', id: 9, questions: [{ name: 'web.default.svc.cluster.local', type: 'A' }] });
    const len = Buffer.alloc(2);
    len.writeUInt16BE(query.length);
    socket.on('connect', () => socket.write(Buffer.concat([len, query])));
    let data = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
        socket.destroy();
        resolve(dnsPacket.decode(data.subarray(2)));
      }
    });
    socket.on('error', reject);
  });
  assert.deepEqual(
    tcpAnswer.answers?.map((a) => a.data),
    ['10.96.0.5'],
  );

  upstreams = [];
  assert.equal((await udpQuery(server.port, 'example.org', 'A')).rcode, 'SERVFAIL');
});
