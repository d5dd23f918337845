import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../kube/types.js';
import type { Service } from '../kube/service-types.js';
import { podServiceEnv } from './service-env.js';

const svc = (name: string, spec: Service['spec'], namespace = 'default'): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec,
});
const pod = (enableServiceLinks?: boolean): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'i' }], ...(enableServiceLinks === undefined ? {} : { enableServiceLinks }) },
});

test('Service variables as the kubelet writes them: host, ports by name, Docker links; headless, other namespaces and disabled links give none', () => {
  const services = [
    svc('my-web', {
      clusterIP: '10.96.0.7',
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
    }),
    svc('headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
    svc('elsewhere', { clusterIP: '10.96.0.8', ports: [{ port: 80 }] }, 'other'),
  ];
  assert.deepEqual(Object.fromEntries(podServiceEnv(pod(), services)), {
    MY_WEB_SERVICE_HOST: '10.96.0.7',
    MY_WEB_SERVICE_PORT: '80',
    MY_WEB_SERVICE_PORT_HTTP: '80',
    MY_WEB_SERVICE_PORT_DNS: '53',
    MY_WEB_PORT: 'tcp://10.96.0.7:80',
    MY_WEB_PORT_80_TCP: 'tcp://10.96.0.7:80',
    MY_WEB_PORT_80_TCP_PROTO: 'tcp',
    MY_WEB_PORT_80_TCP_PORT: '80',
    MY_WEB_PORT_80_TCP_ADDR: '10.96.0.7',
    MY_WEB_PORT_53_UDP: 'udp://10.96.0.7:53',
    MY_WEB_PORT_53_UDP_PROTO: 'udp',
    MY_WEB_PORT_53_UDP_PORT: '53',
    MY_WEB_PORT_53_UDP_ADDR: '10.96.0.7',
  });
  assert.deepEqual(podServiceEnv(pod(false), services), []);
});
