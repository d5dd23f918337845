// What the API server does to a Service before storing it: defaults (type, protocol, targetPort,
// sessionAffinity) and the allocations, a cluster IP from the service range and NodePorts from 30000-32767.
// An explicit clusterIP or nodePort is honoured when it is in range and free; a stored Service keeps what
// it was given (clusterIP is immutable). The allocations live in the stored objects themselves, so the
// "allocator" is rebuilt from them at every call and survives restarts with them.
import { invalid } from '../common/errors.js';
import { cidrContains, formatCidr, formatIpv4, parseIpv4, type Ipv4Cidr } from '../common/ipv4.js';
import { DEFAULT_NODE_PORT_RANGE, hasNodePorts, type Service, type ServicePort, type ServiceSpec } from '../kube/service-types.js';

export interface AdmissionContext {
  readonly range: Ipv4Cidr;
  /** Every stored Service (the one being admitted included, as it was before). */
  readonly existing: readonly Service[];
  /** [0, 1): where the search for a free address or port starts (injected by tests). */
  readonly random?: () => number;
}

const keyOf = (s: Service): string => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;

export function admitService(service: Service, ctx: AdmissionContext): Service {
  const key = keyOf(service);
  const previous = ctx.existing.find((s) => keyOf(s) === key);
  const others = ctx.existing.filter((s) => keyOf(s) !== key);
  const fail = (path: string, message: string) => invalid(`The Service "${service.metadata.name}" is invalid: ${path}: ${message}`);
  const type = service.spec.type ?? 'ClusterIP';
  const ports = (service.spec.ports ?? []).map((p): ServicePort => ({ ...p, protocol: p.protocol ?? 'TCP', targetPort: p.targetPort ?? p.port }));
  const spec: ServiceSpec = { ...service.spec, type, ports, sessionAffinity: service.spec.sessionAffinity ?? 'None' };
  if (type === 'ExternalName') return { ...service, spec: withoutClusterIP(spec) };
  const clusterIP = admitClusterIP(spec.clusterIP, previous?.spec.clusterIP, others, ctx, fail);
  const admittedPorts = hasNodePorts({ ...service, spec }) ? admitNodePorts(ports, previous, others, ctx, fail) : ports.map(({ nodePort: _drop, ...p }) => p);
  const { externalTrafficPolicy, ...rest } = spec;
  const external = hasNodePorts({ ...service, spec }) ? { externalTrafficPolicy: externalTrafficPolicy ?? 'Cluster' } : {};
  return {
    ...service,
    spec: {
      ...rest,
      clusterIP,
      clusterIPs: [clusterIP],
      ports: admittedPorts,
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: spec.internalTrafficPolicy ?? 'Cluster',
      ...external,
    },
  };
}

function withoutClusterIP(spec: ServiceSpec): ServiceSpec {
  const { clusterIP: _ip, clusterIPs: _ips, ...rest } = spec;
  return rest;
}

type Fail = (path: string, message: string) => Error;

function admitClusterIP(requested: string | undefined, previous: string | undefined, others: readonly Service[], ctx: AdmissionContext, fail: Fail): string {
  const wanted = requested === undefined || requested === '' ? previous : requested;
  if (previous !== undefined && previous !== '' && wanted !== previous)
    throw fail('spec.clusterIP', `Invalid value: ${JSON.stringify(requested)}: field is immutable`);
  if (wanted === 'None') return 'None';
  const used = new Set(others.map((s) => s.spec.clusterIP).filter((ip): ip is string => ip !== undefined));
  const { range } = ctx;
  if (wanted !== undefined && wanted !== '') {
    if (wanted === previous) return wanted;
    const ip = parseIpv4(wanted);
    if (ip === undefined || !cidrContains(range, ip) || ip === range.base || ip === range.base + range.size - 1)
      throw fail(
        'spec.clusterIP',
        `Invalid value: ${JSON.stringify(wanted)}: provided IP is not in the valid range. The range of valid IPs is ${formatCidr(range)}`,
      );
    if (used.has(wanted)) throw fail('spec.clusterIP', `Invalid value: ${JSON.stringify(wanted)}: provided IP is already allocated`);
    return wanted;
  }
  // Usable addresses: the range minus its network and broadcast addresses.
  const usable = range.size - 2;
  const start = Math.floor((ctx.random ?? Math.random)() * usable);
  for (let i = 0; i < usable; i++) {
    const candidate = formatIpv4(range.base + 1 + ((start + i) % usable));
    if (!used.has(candidate)) return candidate;
  }
  throw fail('spec.clusterIP', `Internal error: failed to allocate a serviceIP: range ${formatCidr(range)} is full`);
}

function admitNodePorts(
  ports: readonly ServicePort[],
  previous: Service | undefined,
  others: readonly Service[],
  ctx: AdmissionContext,
  fail: Fail,
): ServicePort[] {
  const used = new Set(others.flatMap((s) => (s.spec.ports ?? []).map((p) => (p.nodePort === undefined ? '' : `${p.nodePort}/${p.protocol ?? 'TCP'}`))));
  const { min, max } = DEFAULT_NODE_PORT_RANGE;
  const out: ServicePort[] = [];
  ports.forEach((p, i) => {
    const protocol = p.protocol ?? 'TCP';
    const kept = previous?.spec.ports?.find((q) => (q.name ?? '') === (p.name ?? '') && q.port === p.port && (q.protocol ?? 'TCP') === protocol)?.nodePort;
    const wanted = p.nodePort !== undefined && p.nodePort !== 0 ? p.nodePort : kept;
    if (wanted !== undefined) {
      if (used.has(`${wanted}/${protocol}`)) throw fail(`spec.ports[${i}].nodePort`, `Invalid value: ${wanted}: provided port is already allocated`);
      used.add(`${wanted}/${protocol}`);
      out.push({ ...p, nodePort: wanted });
      return;
    }
    const span = max - min + 1;
    const start = Math.floor((ctx.random ?? Math.random)() * span);
    for (let k = 0; k < span; k++) {
      const candidate = min + ((start + k) % span);
      if (used.has(`${candidate}/${protocol}`)) continue;
      used.add(`${candidate}/${protocol}`);
      out.push({ ...p, nodePort: candidate });
      return;
    }
    throw fail(`spec.ports[${i}].nodePort`, 'Internal error: failed to allocate a nodePort: the range is full');
  });
  return out;
}

/** How long an address or port handed out stays reserved before its Service is visible in the store. */
const RESERVATION_MS = 30_000;

/**
 * The store's admission step for Services: admitService over the stored Services plus those admitted in
 * the last RESERVATION_MS that the store does not show yet (two applies racing between admission and
 * their writes must not get the same address).
 */
export function serviceAdmitter(range: Ipv4Cidr, stored: () => readonly Service[], now: () => number = Date.now): (service: Service) => Service {
  let recent: { service: Service; at: number }[] = [];
  return (service) => {
    const t = now();
    const existing = stored();
    const storedKeys = new Set(existing.map(keyOf));
    recent = recent.filter((r) => t - r.at < RESERVATION_MS && !storedKeys.has(keyOf(r.service)));
    const admitted = admitService(service, {
      range,
      existing: [...existing, ...recent.filter((r) => keyOf(r.service) !== keyOf(service)).map((r) => r.service)],
    });
    recent.push({ service: admitted, at: t });
    return admitted;
  };
}
