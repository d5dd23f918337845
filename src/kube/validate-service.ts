// A Service's spec as the API server checks it (pkg/apis/core/validation ValidateService), minus what
// depends on the node (the cluster IP's range and its being free, NodePort collisions: services/admission).
import type { Finding } from './schema.js';
import { checkDns1123Subdomain, checkLabels, checkPortName } from './names.js';
import { DEFAULT_NODE_PORT_RANGE } from './service-types.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const MAX_AFFINITY_SECONDS = 86400;

const isPort = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;

/** Service names are DNS-1035 labels (they become DNS names and env variable prefixes). */
export function validateServiceName(name: unknown, errors: Finding[]): void {
  if (typeof name === 'string' && (name.length > 63 || !DNS1035_LABEL.test(name)))
    errors.push({
      path: 'metadata.name',
      message: `Invalid value: ${JSON.stringify(name)}: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123')`,
    });
}

export function validateServiceSpec(spec: unknown, errors: Finding[]): void {
  if (!isRecord(spec)) {
    errors.push({ path: 'spec', message: 'Required value' });
    return;
  }
  const type = spec['type'] ?? 'ClusterIP';
  if (typeof type !== 'string' || !TYPES.includes(type))
    errors.push({ path: 'spec.type', message: `Unsupported value: ${JSON.stringify(type)}: supported values: ${TYPES.map((t) => `"${t}"`).join(', ')}` });
  const clusterIP = spec['clusterIP'];
  if (clusterIP !== undefined && clusterIP !== '' && clusterIP !== 'None' && !(typeof clusterIP === 'string' && IPV4.test(clusterIP)))
    errors.push({ path: 'spec.clusterIP', message: `Invalid value: ${JSON.stringify(clusterIP)}: must be empty, 'None', or a valid IPv4 address` });
  if (clusterIP === 'None' && (type === 'NodePort' || type === 'LoadBalancer'))
    errors.push({ path: 'spec.clusterIP', message: `Invalid value: "None": may not be set to 'None' for ${String(type)} services` });
  if (type === 'ExternalName') {
    if (typeof spec['externalName'] !== 'string' || spec['externalName'] === '') errors.push({ path: 'spec.externalName', message: 'Required value' });
    else checkDns1123Subdomain(spec['externalName'], 'spec.externalName', errors);
  }
  const affinity = spec['sessionAffinity'] ?? 'None';
  if (affinity !== 'None' && affinity !== 'ClientIP')
    errors.push({ path: 'spec.sessionAffinity', message: `Unsupported value: ${JSON.stringify(affinity)}: supported values: "ClientIP", "None"` });
  const timeout =
    isRecord(spec['sessionAffinityConfig']) && isRecord(spec['sessionAffinityConfig']['clientIP'])
      ? spec['sessionAffinityConfig']['clientIP']['timeoutSeconds']
      : undefined;
  if (timeout !== undefined && !(typeof timeout === 'number' && Number.isInteger(timeout) && timeout >= 1 && timeout <= MAX_AFFINITY_SECONDS))
    errors.push({
      path: 'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
      message: `Invalid value: ${JSON.stringify(timeout)}: must be greater than 0 and less than ${MAX_AFFINITY_SECONDS + 1}`,
    });
  if (spec['selector'] !== undefined) checkLabels(spec['selector'], 'spec.selector', errors);
  validatePorts(spec, typeof type === 'string' ? type : 'ClusterIP', clusterIP === 'None', errors);
}

function validatePorts(spec: Record<string, unknown>, type: string, headless: boolean, errors: Finding[]): void {
  const ports = spec['ports'];
  if (ports === undefined || (Array.isArray(ports) && ports.length === 0)) {
    if (type !== 'ExternalName' && !headless) errors.push({ path: 'spec.ports', message: 'Required value' });
    return;
  }
  if (!Array.isArray(ports)) {
    errors.push({ path: 'spec.ports', message: 'must be a list' });
    return;
  }
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((p: unknown, i) => {
    const path = `spec.ports[${i}]`;
    if (!isRecord(p)) {
      errors.push({ path, message: 'must be an object' });
      return;
    }
    const name = p['name'];
    if (ports.length > 1 && (typeof name !== 'string' || name === '')) errors.push({ path: `${path}.name`, message: 'Required value' });
    if (typeof name === 'string' && name !== '') {
      if (!DNS1035_LABEL.test(name) || name.length > 63)
        errors.push({ path: `${path}.name`, message: `Invalid value: ${JSON.stringify(name)}: must be a DNS-1035 label` });
      if (names.has(name)) errors.push({ path: `${path}.name`, message: `Duplicate value: ${JSON.stringify(name)}` });
      names.add(name);
    }
    if (!isPort(p['port']))
      errors.push({ path: `${path}.port`, message: `Invalid value: ${JSON.stringify(p['port'])}: must be between 1 and 65535, inclusive` });
    const protocol = p['protocol'] ?? 'TCP';
    if (typeof protocol !== 'string' || !PROTOCOLS.includes(protocol))
      errors.push({ path: `${path}.protocol`, message: `Unsupported value: ${JSON.stringify(protocol)}: supported values: "SCTP", "TCP", "UDP"` });
    const key = JSON.stringify([p['port'], protocol]);
    if (keys.has(key)) errors.push({ path, message: `Duplicate value: ${JSON.stringify({ port: p['port'], protocol })}` });
    keys.add(key);
    const target = p['targetPort'];
    if (typeof target === 'string') checkPortName(target, `${path}.targetPort`, errors);
    else if (target !== undefined && !isPort(target))
      errors.push({ path: `${path}.targetPort`, message: `Invalid value: ${JSON.stringify(target)}: must be between 1 and 65535, inclusive` });
    const nodePort = p['nodePort'];
    if (nodePort !== undefined && nodePort !== 0) {
      if (type !== 'NodePort' && type !== 'LoadBalancer')
        errors.push({ path: `${path}.nodePort`, message: `Forbidden: may not be used when \`type\` is '${type}'` });
      else if (!(typeof nodePort === 'number' && nodePort >= DEFAULT_NODE_PORT_RANGE.min && nodePort <= DEFAULT_NODE_PORT_RANGE.max))
        errors.push({
          path: `${path}.nodePort`,
          message: `Invalid value: ${JSON.stringify(nodePort)}: provided port is not in the valid range. The range of valid ports is ${DEFAULT_NODE_PORT_RANGE.min}-${DEFAULT_NODE_PORT_RANGE.max}`,
        });
    }
  });
}
