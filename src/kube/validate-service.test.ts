import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from './schema.js';
import { validateServiceName, validateServiceSpec } from './validate-service.js';

function check(spec: unknown): string[] {
  const errors: Finding[] = [];
  validateServiceSpec(spec, errors);
  return errors.map((e) => `${e.path}: ${e.message}`);
}

test('Service spec: ports, names, protocols, target ports, NodePorts, cluster IP, affinity, each with its field path', () => {
  assert.deepEqual(check({ selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] }), []);
  assert.deepEqual(check({ clusterIP: 'None', selector: { app: 'web' } }), []);
  assert.match(check({ ports: [] }).join('\n'), /^spec.ports: Required value$/m);
  assert.match(check({ ports: [{ port: 80 }, { port: 81 }] }).join('\n'), /spec.ports\[0\].name: Required value/);
  assert.match(
    check({
      ports: [
        { name: 'a', port: 80 },
        { name: 'a', port: 81 },
      ],
    }).join('\n'),
    /spec.ports\[1\].name: Duplicate value: "a"/,
  );
  assert.match(check({ ports: [{ port: 70000 }] }).join('\n'), /spec.ports\[0\].port: Invalid value: 70000/);
  assert.match(check({ ports: [{ port: 80, protocol: 'ICMP' }] }).join('\n'), /spec.ports\[0\].protocol: Unsupported value: "ICMP"/);
  assert.match(check({ ports: [{ port: 80, targetPort: 'Not_A_Name' }] }).join('\n'), /spec.ports\[0\].targetPort: Invalid value/);
  assert.match(check({ ports: [{ port: 80, nodePort: 30080 }] }).join('\n'), /spec.ports\[0\].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'/);
  assert.match(
    check({ type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }).join('\n'),
    /nodePort: Invalid value: 80: provided port is not in the valid range/,
  );
  assert.match(check({ clusterIP: '10.96.0.300', ports: [{ port: 80 }] }).join('\n'), /spec.clusterIP: Invalid value/);
  assert.match(check({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] }).join('\n'), /may not be set to 'None' for NodePort/);
  assert.match(check({ type: 'Weird', ports: [{ port: 80 }] }).join('\n'), /spec.type: Unsupported value: "Weird"/);
  assert.match(check({ type: 'ExternalName' }).join('\n'), /spec.externalName: Required value/);
  assert.match(
    check({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } }, ports: [{ port: 80 }] }).join('\n'),
    /timeoutSeconds: Invalid value: 0/,
  );
  const names: Finding[] = [];
  validateServiceName('1web', names);
  assert.match(names[0]?.message ?? '', /DNS-1035 label/);
});
