// The Service environment variables the kubelet gives every container (pkg/kubelet/envvars FromServices,
// kubelet_pods.go getServiceEnvVarMap): for each Service of the pod's namespace that has a cluster IP
// (enableServiceLinks, the default), <NAME>_SERVICE_HOST/_SERVICE_PORT[_<PORT>] and the Docker link
// variables <NAME>_PORT[_<port>_<PROTO>[_PROTO|_PORT|_ADDR]]. The container's own env and envFrom win.
import type { Pod } from '../kube/types.js';
import type { Service } from '../kube/service-types.js';
import { compareStrings } from '../common/compare.js';

const envName = (name: string): string => name.toUpperCase().replace(/-/g, '_');

export function serviceEnvVars(service: Service): [string, string][] {
  const ip = service.spec.clusterIP;
  const ports = service.spec.ports ?? [];
  if (ip === undefined || ip === '' || ip === 'None' || ports.length === 0) return [];
  const prefix = envName(service.metadata.name);
  const out: [string, string][] = [
    [`${prefix}_SERVICE_HOST`, ip],
    [`${prefix}_SERVICE_PORT`, String(ports[0]?.port ?? '')],
  ];
  for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  ports.forEach((p, i) => {
    const protocol = (p.protocol ?? 'TCP').toLowerCase();
    const url = `${protocol}://${ip}:${p.port}`;
    if (i === 0) out.push([`${prefix}_PORT`, url]);
    const portPrefix = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
    out.push([portPrefix, url], [`${portPrefix}_PROTO`, protocol], [`${portPrefix}_PORT`, String(p.port)], [`${portPrefix}_ADDR`, ip]);
  });
  return out;
}

/** Every Service variable for the pod, Services in name order (none with enableServiceLinks: false). */
export function podServiceEnv(pod: Pod, services: readonly Service[]): [string, string][] {
  if (pod.spec.enableServiceLinks === false) return [];
  const namespace = pod.metadata.namespace ?? 'default';
  return [...services]
    .filter((s) => (s.metadata.namespace ?? 'default') === namespace && s.spec.type !== 'ExternalName')
    .sort((a, b) => compareStrings(a.metadata.name, b.metadata.name))
    .flatMap(serviceEnvVars);
}
