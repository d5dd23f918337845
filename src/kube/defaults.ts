// The API server's defaults (pkg/apis/core/v1/defaults.go), as pure functions of the object.
import type { Container, KubeObject, Pod, PodSpec, Probe, Volume } from './types.js';

/** 0644: the default mode of projected files (configMap, secret, downwardAPI). */
export const DEFAULT_VOLUME_MODE = 0o644;
export const DEFAULT_TERMINATION_GRACE_SECONDS = 30;

/** Always for `:latest` or no tag (unless pinned by digest), IfNotPresent otherwise. */
export function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  if (!image || image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  const tag = colon < 0 ? undefined : image.slice(colon + 1);
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(probe: Probe | undefined): Probe | undefined {
  if (!probe) return undefined;
  return {
    ...probe,
    periodSeconds: probe.periodSeconds ?? 10,
    timeoutSeconds: probe.timeoutSeconds ?? 1,
    successThreshold: probe.successThreshold ?? 1,
    failureThreshold: probe.failureThreshold ?? 3,
    ...(probe.httpGet ? { httpGet: { ...probe.httpGet, path: probe.httpGet.path ?? '/', scheme: probe.httpGet.scheme ?? 'HTTP' } } : {}),
  };
}

function defaultContainer(c: Container): Container {
  const liveness = defaultProbe(c.livenessProbe);
  const readiness = defaultProbe(c.readinessProbe);
  const startup = defaultProbe(c.startupProbe);
  return {
    ...c,
    imagePullPolicy: c.imagePullPolicy ?? defaultPullPolicy(c.image),
    terminationMessagePath: c.terminationMessagePath ?? '/dev/termination-log',
    terminationMessagePolicy: c.terminationMessagePolicy ?? 'File',
    ...(c.ports ? { ports: c.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })) } : {}),
    ...(liveness ? { livenessProbe: liveness } : {}),
    ...(readiness ? { readinessProbe: readiness } : {}),
    ...(startup ? { startupProbe: startup } : {}),
  };
}

function defaultVolume(v: Volume): Volume {
  if (v.configMap) return { ...v, configMap: { ...v.configMap, defaultMode: v.configMap.defaultMode ?? DEFAULT_VOLUME_MODE } };
  if (v.secret) return { ...v, secret: { ...v.secret, defaultMode: v.secret.defaultMode ?? DEFAULT_VOLUME_MODE } };
  if (v.downwardAPI) return { ...v, downwardAPI: { ...v.downwardAPI, defaultMode: v.downwardAPI.defaultMode ?? DEFAULT_VOLUME_MODE } };
  if (v.projected) return { ...v, projected: { ...v.projected, defaultMode: v.projected.defaultMode ?? DEFAULT_VOLUME_MODE } };
  if (v.hostPath) return { ...v, hostPath: { ...v.hostPath, type: v.hostPath.type ?? '' } };
  return v;
}

function defaultPod(pod: Pod): Pod {
  return { ...pod, metadata: { ...pod.metadata, namespace: pod.metadata.namespace ?? 'default' }, spec: defaultPodSpec(pod.spec) };
}

/** A pod spec's defaults: a Pod's, and a workload's pod template's (the API server defaults both). */
export function defaultPodSpec(spec: PodSpec): PodSpec {
  return {
    ...spec,
    restartPolicy: spec.restartPolicy ?? 'Always',
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_SECONDS,
    dnsPolicy: spec.dnsPolicy ?? 'ClusterFirst',
    enableServiceLinks: spec.enableServiceLinks ?? true,
    containers: spec.containers.map(defaultContainer),
    ...(spec.initContainers ? { initContainers: spec.initContainers.map(defaultContainer) } : {}),
    ...(spec.volumes ? { volumes: spec.volumes.map(defaultVolume) } : {}),
  };
}

export function applyDefaults<T extends KubeObject>(object: T): T {
  if (object.kind === 'Pod') return defaultPod(object) as T;
  return { ...object, metadata: { ...object.metadata, namespace: object.metadata.namespace ?? 'default' } };
}
