// Pod → the runtime's CRI-shaped configs, as the kubelet's kuberuntime does it: the sandbox config
// (namespaces, cgroup parent by QoS, ports, DNS) and each container's (command/args over the image's
// entrypoint/cmd, env with $(VAR) expansion, mounts, resources by the kubelet's formulas, security).
import { join } from 'node:path';
import { PeapodError } from '../common/errors.js';
import type { Container, EnvVar, Pod } from '../kube/types.js';
import { podQosClass, type QosClass } from '../kube/qos.js';
import { expandEnvReferences } from '../kube/env.js';
import { cpuMilli, memoryBytes } from '../kube/quantity.js';
import type { ImageRecord } from '../image/types.js';
import { containerResources, podCgroupName, podResources, oomScoreAdjFor, SANDBOX_OOM_SCORE_ADJ, clampOomScoreAdj } from '../oci/resources.js';
import type { SecurityInput } from '../oci/types.js';
import type { ContainerConfig, SandboxConfig, VolumeMount } from '../runtime/types.js';
import type { PreparedVolumes, VolumeLookups } from './volumes/setup.js';
import { configMapData, secretData } from './volumes/project.js';

export interface ConvertContext {
  readonly cgroupRoot: string;
  readonly logRoot: string;
  readonly oomScoreAdjFloor: number;
  readonly memoryCapacityBytes: number;
  /** The daemon's own capabilities: what "privileged" and "add: [ALL]" can grant on this host. */
  readonly hostCapabilities?: readonly string[];
}

export function podLogDirectory(logRoot: string, pod: Pod): string {
  return join(logRoot, `${pod.metadata.namespace ?? 'default'}_${pod.metadata.name}_${pod.metadata.uid ?? ''}`);
}

export function podCgroupParent(cgroupRoot: string, pod: Pod): string {
  return `${cgroupRoot.replace(/\/$/, '')}/${podCgroupName(podQosClass(pod), pod.metadata.uid ?? '')}`;
}

export function sandboxConfig(pod: Pod, attempt: number, ctx: ConvertContext): SandboxConfig {
  const spec = pod.spec;
  const hostname = spec.hostname ?? pod.metadata.name;
  const namespace = pod.metadata.namespace ?? 'default';
  const qos: QosClass = podQosClass(pod);
  const annotations: Record<string, string> = {};
  if (spec.subdomain) annotations['peapod.io/fqdn'] = `${hostname}.${spec.subdomain}.${namespace}.svc.cluster.local`;
  const portMappings = [...(spec.initContainers ?? []), ...spec.containers].flatMap((c) =>
    (c.ports ?? [])
      .filter((p) => p.hostPort !== undefined && p.hostPort > 0)
      .map((p) => ({
        hostPort: p.hostPort ?? 0,
        containerPort: p.containerPort,
        protocol: (p.protocol ?? 'TCP').toLowerCase() as 'tcp' | 'udp' | 'sctp',
        ...(p.hostIP ? { hostIP: p.hostIP } : {}),
      })),
  );
  const sysctls: Record<string, string> = {};
  for (const s of spec.securityContext?.sysctls ?? []) sysctls[s.name] = s.value;
  return {
    name: pod.metadata.name,
    namespace,
    uid: pod.metadata.uid ?? '',
    attempt,
    hostname: spec.hostNetwork ? osHostname() : hostname,
    cgroupParent: podCgroupParent(ctx.cgroupRoot, pod),
    podResources: podResources(podRequestsAndLimits(pod), qos),
    network: spec.hostNetwork ? 'node' : 'pod',
    pid: spec.hostPID ? 'node' : spec.shareProcessNamespace ? 'pod' : 'container',
    ipc: spec.hostIPC ? 'node' : 'pod',
    portMappings,
    dns: spec.dnsConfig
      ? {
          servers: spec.dnsConfig.nameservers ?? [],
          searches: spec.dnsConfig.searches ?? [],
          options: (spec.dnsConfig.options ?? []).map((o) => (o.value === undefined ? o.name : `${o.name}:${o.value}`)),
        }
      : undefined,
    hostAliases: (spec.hostAliases ?? []).map((a) => ({ ip: a.ip, hostnames: a.hostnames ?? [] })),
    sysctls,
    labels: {
      'io.kubernetes.pod.name': pod.metadata.name,
      'io.kubernetes.pod.namespace': namespace,
      'io.kubernetes.pod.uid': pod.metadata.uid ?? '',
      ...(pod.metadata.labels ?? {}),
    },
    annotations: { ...(pod.metadata.annotations ?? {}), ...annotations },
    logDirectory: podLogDirectory(ctx.logRoot, pod),
    oomScoreAdj: clampOomScoreAdj(SANDBOX_OOM_SCORE_ADJ, ctx.oomScoreAdjFloor),
  };
}

function osHostname(): string {
  // hostNetwork pods see the node's hostname, as in Kubernetes.
  return process.env['HOSTNAME'] ?? 'localhost';
}

export interface PodResourceTotals {
  readonly cpuRequestMilli: number;
  readonly cpuLimitMilli: number | undefined;
  readonly memoryRequestBytes: number;
  readonly memoryLimitBytes: number | undefined;
}

/** Effective pod resources: the sum over app containers and sidecars vs the largest init container, as the scheduler and kubelet compute it. */
export function podRequestsAndLimits(pod: Pod): PodResourceTotals {
  const r = (c: Container) => ({
    cpuReq: c.resources?.requests?.['cpu'] !== undefined ? cpuMilli(c.resources.requests['cpu']) : c.resources?.limits?.['cpu'] !== undefined ? cpuMilli(c.resources.limits['cpu']) : 0,
    cpuLim: c.resources?.limits?.['cpu'] !== undefined ? cpuMilli(c.resources.limits['cpu']) : undefined,
    memReq: c.resources?.requests?.['memory'] !== undefined ? memoryBytes(c.resources.requests['memory']) : c.resources?.limits?.['memory'] !== undefined ? memoryBytes(c.resources.limits['memory']) : 0,
    memLim: c.resources?.limits?.['memory'] !== undefined ? memoryBytes(c.resources.limits['memory']) : undefined,
  });
  const longRunning = [...(pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...pod.spec.containers].map(r);
  const inits = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy !== 'Always').map(r);
  const sum = (xs: (number | undefined)[]): number | undefined => (xs.some((x) => x === undefined) ? undefined : xs.reduce<number>((a, b) => a + (b ?? 0), 0));
  const maxInit = (xs: (number | undefined)[]): number | undefined => (xs.some((x) => x === undefined) ? undefined : Math.max(0, ...xs.map((x) => x ?? 0)));
  const pick = (main: number | undefined, init: number | undefined): number | undefined => (main === undefined || init === undefined ? undefined : Math.max(main, init));
  return {
    cpuRequestMilli: Math.max(sum(longRunning.map((c) => c.cpuReq)) ?? 0, maxInit(inits.map((c) => c.cpuReq)) ?? 0),
    cpuLimitMilli: pick(sum(longRunning.map((c) => c.cpuLim)), inits.length ? maxInit(inits.map((c) => c.cpuLim)) : 0),
    memoryRequestBytes: Math.max(sum(longRunning.map((c) => c.memReq)) ?? 0, maxInit(inits.map((c) => c.memReq)) ?? 0),
    memoryLimitBytes: pick(sum(longRunning.map((c) => c.memLim)), inits.length ? maxInit(inits.map((c) => c.memLim)) : 0),
  };
}

export interface ContainerConvertInput {
  readonly pod: Pod;
  readonly container: Container;
  readonly image: ImageRecord;
  readonly attempt: number;
  readonly volumes: PreparedVolumes;
  readonly lookups: VolumeLookups;
  readonly ctx: ConvertContext;
  /** The path of the file the container's termination message goes to, on the host. */
  readonly terminationLogHostPath?: string;
}

export function containerConfig(input: ContainerConvertInput): ContainerConfig {
  const { pod, container, image, attempt } = input;
  const env = resolveEnv(input);
  const expand = (values: readonly string[]): string[] => values.map((v) => expandEnvReferences(v, env));
  const imageEntrypoint = image.config.entrypoint ?? [];
  const imageCmd = image.config.cmd ?? [];
  // Kubernetes: command replaces ENTRYPOINT (and drops CMD); args replaces CMD.
  const args = container.command
    ? [...expand(container.command), ...expand(container.args ?? [])]
    : [...imageEntrypoint, ...(container.args ? expand(container.args) : imageCmd)];
  if (args.length === 0) throw new PeapodError('InvalidArgument', `container ${container.name}: no command specified and the image has no entrypoint or cmd`);
  const envList = [...env.entries()].map(([k, v]) => `${k}=${v}`);
  const mounts = containerMounts(input);
  return {
    name: container.name,
    attempt,
    image: image.id,
    args,
    env: envList,
    workingDir: container.workingDir ?? image.config.workingDir ?? '/',
    mounts,
    resources: containerResources(resourceInput(container)),
    oomScoreAdj: oomScoreAdjForContainer(pod, container, input.ctx),
    security: { ...securityInput(pod, container, image), ...(input.ctx.hostCapabilities ? { hostCapabilities: input.ctx.hostCapabilities } : {}) },
    tty: container.tty === true,
    stdin: container.stdin === true,
    stdinOnce: container.stdinOnce === true,
    logPath: `${container.name}/${attempt}.log`,
    labels: {
      'io.kubernetes.container.name': container.name,
      'io.kubernetes.pod.name': pod.metadata.name,
      'io.kubernetes.pod.namespace': pod.metadata.namespace ?? 'default',
      'io.kubernetes.pod.uid': pod.metadata.uid ?? '',
    },
    annotations: { 'io.kubernetes.container.restartCount': String(attempt) },
  };
}

function resourceInput(container: Container): { cpuRequestMilli?: number; cpuLimitMilli?: number; memoryLimitBytes?: number } {
  const cpuRequest = quantityOr(container.resources?.requests?.['cpu'] ?? container.resources?.limits?.['cpu'], cpuMilli);
  const cpuLimit = quantityOr(container.resources?.limits?.['cpu'], cpuMilli);
  const memoryLimit = quantityOr(container.resources?.limits?.['memory'], memoryBytes);
  return {
    ...(cpuRequest !== undefined ? { cpuRequestMilli: cpuRequest } : {}),
    ...(cpuLimit !== undefined ? { cpuLimitMilli: cpuLimit } : {}),
    ...(memoryLimit !== undefined ? { memoryLimitBytes: memoryLimit } : {}),
  };
}

function quantityOr(value: string | undefined, parse: (q: string) => number): number | undefined {
  return value === undefined ? undefined : parse(value);
}

export function oomScoreAdjForContainer(pod: Pod, container: Container, ctx: ConvertContext): number {
  const request = container.resources?.requests?.['memory'] ?? container.resources?.limits?.['memory'];
  const wanted = oomScoreAdjFor(podQosClass(pod), request === undefined ? 0 : memoryBytes(request), ctx.memoryCapacityBytes);
  return clampOomScoreAdj(wanted, ctx.oomScoreAdjFloor);
}

/** Env as the kubelet builds it: image env, then envFrom, then env (later wins), $(VAR) expanded against what came before. */
function resolveEnv(input: ContainerConvertInput): Map<string, string> {
  const { pod, container, image, lookups } = input;
  const namespace = pod.metadata.namespace ?? 'default';
  const env = new Map<string, string>();
  for (const entry of image.config.env ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  if (!env.has('PATH')) env.set('PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  env.set('HOSTNAME', pod.spec.hostname ?? pod.metadata.name);
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    const data = from.configMapRef
      ? mapOrMissing(lookups.configMap(namespace, from.configMapRef.name ?? ''), configMapData, `configmap ${from.configMapRef.name ?? ''}`, from.configMapRef.optional)
      : from.secretRef
        ? mapOrMissing(lookups.secret(namespace, from.secretRef.name ?? ''), secretData, `secret ${from.secretRef.name ?? ''}`, from.secretRef.optional)
        : new Map<string, Uint8Array>();
    for (const [k, v] of data) env.set(`${prefix}${k}`, Buffer.from(v).toString('utf8'));
  }
  for (const variable of container.env ?? []) {
    const value = envValue(variable, env, input);
    if (value !== undefined) env.set(variable.name, value);
  }
  return env;
}

function mapOrMissing<T>(object: T | undefined, data: (o: T) => Map<string, Uint8Array>, what: string, optional: boolean | undefined): Map<string, Uint8Array> {
  if (object) return data(object);
  if (optional) return new Map();
  throw new PeapodError('FailedPrecondition', `${what} not found`);
}

function envValue(variable: EnvVar, env: ReadonlyMap<string, string>, input: ContainerConvertInput): string | undefined {
  if (variable.valueFrom === undefined) return expandEnvReferences(variable.value ?? '', env);
  const from = variable.valueFrom;
  const namespace = input.pod.metadata.namespace ?? 'default';
  if (from.fieldRef) return input.lookups.field(from.fieldRef.fieldPath) ?? '';
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const value = input.lookups.configMap(namespace, ref.name ?? '')?.data?.[ref.key];
    if (value === undefined && !ref.optional) throw new PeapodError('FailedPrecondition', `configmap ${JSON.stringify(ref.name ?? '')} key ${JSON.stringify(ref.key)} not found`);
    return value;
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const secret = input.lookups.secret(namespace, ref.name ?? '');
    const data = secret ? secretData(secret).get(ref.key) : undefined;
    if (data === undefined && !ref.optional) throw new PeapodError('FailedPrecondition', `secret ${JSON.stringify(ref.name ?? '')} key ${JSON.stringify(ref.key)} not found`);
    return data === undefined ? undefined : Buffer.from(data).toString('utf8');
  }
  if (from.resourceFieldRef) {
    const resource = from.resourceFieldRef.resource;
    const [kind, name] = resource.split('.');
    const quantity = (kind === 'limits' ? input.container.resources?.limits : input.container.resources?.requests)?.[name ?? ''];
    if (quantity === undefined) return '0';
    return name === 'cpu' ? String(Math.ceil(cpuMilli(quantity) / 1000)) : String(memoryBytes(quantity));
  }
  return undefined;
}

function containerMounts(input: ContainerConvertInput): VolumeMount[] {
  const { container, volumes } = input;
  const mounts: VolumeMount[] = [];
  for (const [i, m] of (container.volumeMounts ?? []).entries()) {
    const source = volumes.get(m.name);
    if (source === undefined) throw new PeapodError('InvalidArgument', `volumeMounts[${i}].name: volume ${JSON.stringify(m.name)} not found`);
    const hostPath = m.subPath ? join(source, m.subPath) : source;
    mounts.push({ containerPath: m.mountPath, hostPath, readOnly: m.readOnly === true, recursive: true });
  }
  if (input.terminationLogHostPath && container.terminationMessagePath) {
    mounts.push({ containerPath: container.terminationMessagePath, hostPath: input.terminationLogHostPath, readOnly: false });
  }
  return mounts;
}

function parseUser(user: string | undefined): { uid: number; gid: number } {
  if (!user || user === 'root') return { uid: 0, gid: 0 };
  const [u, g] = user.split(':');
  const uid = Number(u);
  const gid = g === undefined ? uid : Number(g);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new PeapodError('FailedPrecondition', `image user ${JSON.stringify(user)} is not numeric; set securityContext.runAsUser`);
  }
  return { uid, gid };
}

function securityInput(pod: Pod, container: Container, image: ImageRecord): SecurityInput {
  const podSc = pod.spec.securityContext ?? {};
  const sc = container.securityContext ?? {};
  const imageUser = parseUser(image.config.user);
  const uid = sc.runAsUser ?? podSc.runAsUser ?? imageUser.uid;
  // containerd: an explicit runAsUser without a group runs with gid 0 unless the image says otherwise for that user.
  const explicitUser = sc.runAsUser ?? podSc.runAsUser;
  const gid = sc.runAsGroup ?? podSc.runAsGroup ?? (explicitUser !== undefined ? 0 : imageUser.gid);
  if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) === true && uid === 0) {
    throw new PeapodError('FailedPrecondition', `container has runAsNonRoot and image will run as root (pod: "${pod.metadata.name}", container: ${container.name})`);
  }
  const seccompProfile = sc.seccompProfile ?? podSc.seccompProfile;
  const privileged = sc.privileged === true;
  const sysctls: Record<string, string> = {};
  for (const s of podSc.sysctls ?? []) sysctls[s.name] = s.value;
  return {
    uid,
    gid,
    additionalGids: [...(podSc.supplementalGroups ?? []), ...(podSc.fsGroup !== undefined ? [podSc.fsGroup] : [])],
    privileged,
    capabilitiesAdd: sc.capabilities?.add ?? [],
    capabilitiesDrop: sc.capabilities?.drop ?? [],
    readOnlyRootfs: sc.readOnlyRootFilesystem === true,
    noNewPrivileges: sc.allowPrivilegeEscalation === false && !privileged,
    seccomp:
      seccompProfile?.type === 'RuntimeDefault'
        ? { kind: 'runtime-default' }
        : seccompProfile?.type === 'Localhost'
          ? { kind: 'localhost', profile: seccompProfile.localhostProfile ?? '' }
          : { kind: 'unconfined' },
    procMount: sc.procMount === 'Unmasked' ? 'Unmasked' : 'Default',
    sysctls,
  };
}
