import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostsFileContent, resolvConfContent } from './files.js';

test('the managed hosts file names the pod at its IP, with FQDN and host aliases', () => {
  const text = hostsFileContent('10.89.0.5', 'web', 'web.sub.default.svc.cluster.local', [{ ip: '1.2.3.4', hostnames: ['a', 'b'] }]);
  assert.match(text, /^# Kubernetes-managed hosts file\.\n127\.0\.0\.1\tlocalhost\n/);
  assert.match(text, /\n10\.89\.0\.5\tweb\.sub\.default\.svc\.cluster\.local\tweb\n/);
  assert.match(text, /# Entries added by HostAliases\.\n1\.2\.3\.4\ta\tb\n$/);
});

test('resolv.conf: the pod DNS config wins; loopback nameservers are dropped for pods with their own network', () => {
  assert.equal(
    resolvConfContent({ servers: ['1.1.1.1'], searches: ['x.local'], options: ['ndots:2'] }, '', true),
    'search x.local\nnameserver 1.1.1.1\noptions ndots:2\n',
  );
  const host = 'nameserver 127.0.0.53\nnameserver 9.9.9.9\nsearch lan\n';
  assert.equal(resolvConfContent(undefined, host, true), 'nameserver 9.9.9.9\nsearch lan\n');
  assert.equal(resolvConfContent(undefined, host, false), 'nameserver 127.0.0.53\nnameserver 9.9.9.9\nsearch lan\n');
});
