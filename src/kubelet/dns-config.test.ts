import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodSpec } from '../kube/types.js';
import { podDnsConfig } from './dns-config.js';

const host = 'nameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0\n';
const cluster = { servers: ['10.89.0.1'], domain: 'cluster.local', hostResolvConf: host };

function pod(spec: Partial<PodSpec>): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } };
}

test('ClusterFirst: cluster DNS, the kubelet search list plus the host searches, ndots:5', () => {
  assert.deepEqual(podDnsConfig(pod({}), cluster), {
    servers: ['10.89.0.1'],
    searches: ['team.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'],
    options: ['ndots:5'],
  });
});

test('ClusterFirst with hostNetwork is Default; ClusterFirstWithHostNet is cluster; no cluster DNS falls back to Default', () => {
  assert.equal(podDnsConfig(pod({ hostNetwork: true }), cluster), undefined);
  assert.deepEqual(podDnsConfig(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), cluster)?.servers, ['10.89.0.1']);
  assert.equal(podDnsConfig(pod({}), { ...cluster, servers: [] }), undefined);
});

test('Default with dnsConfig merges into the host config (loopback servers dropped); None is dnsConfig alone; options by name, the pod wins', () => {
  assert.deepEqual(
    podDnsConfig(
      pod({ dnsPolicy: 'Default', dnsConfig: { nameservers: ['192.0.2.9'], options: [{ name: 'edns0' }, { name: 'ndots', value: '2' }] } }),
      cluster,
    ),
    {
      servers: ['192.0.2.53', '192.0.2.9'],
      searches: ['corp.example'],
      options: ['edns0', 'ndots:2'],
    },
  );
  assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.example'] } }), cluster), {
    servers: ['1.1.1.1'],
    searches: ['a.example'],
    options: [],
  });
  assert.deepEqual(podDnsConfig(pod({ dnsConfig: { options: [{ name: 'ndots', value: '1' }] } }), cluster)?.options, ['ndots:1']);
});
