// Pod → the runtime's CRI-shaped configs, as the kubelet's kuberuntime does it: the sandbox config
// (namespaces, cgroup parent by QoS, ports, DNS, log directory) and each container's request (command and
// args with $(VAR) expanded, env from the pod, mounts, resources by the kubelet's formulas, security, log
// path). What containerd does with these (the image's entrypoint/cmd/env/PATH/user/workdir, the seccomp
// profile's content, the node's hostname) is the runtime's, once for both fronts (runtime/translate.ts).
import { join } from 'node:path';
import { PeapodError } from '../common/errors.js';
import type { Container, EnvVar, Pod, SeccompProfile } from '../kube/types.js';
import { podQosClass, type QosClass } from '../kube/qos.js';
import { expandEnvReferences } from '../kube/env.js';
import { cpuMilli, memoryBytes } from '../kube/quantity.js';
import type { ImageRecord } from '../image/types.js';
import { containerResources, podCgroupName, podResources, oomScoreAdjFor, SANDBOX_OOM_SCORE_ADJ, clampOomScoreAdj } from '../oci/resources.js';
import { numericImageUid } from '../oci/user.js';
import { podLogDirectoryName } from '../runtime/logs/layout.js';
import type { ContainerRequest, ContainerSecurityRequest, SandboxConfig, SeccompRequest, VolumeMount } from '../runtime/types.js';
import { isProjectedVolume, type PreparedVolumes, type VolumeLookups } from './volumes/setup.js';
import type { SubPathRequest } from './volumes/subpath-staging.js';
import { effectiveSubPath } from './volumes/subpath.js';
import { configMapData, secretData } from './volumes/project.js';
import { podDnsConfig, type ClusterDnsSettings } from './dns-config.js';
import { podServiceEnv } from './service-env.js';
import type { Service } from '../kube/service-types.js';
import { podContainers } from '../kube/pod-containers.js';

export interface ConvertContext {
  readonly cgroupRoot: string;
  readonly logRoot: string;
  readonly oomScoreAdjFloor: number;
  readonly memoryCapacityBytes: number;
  /** Where Localhost seccomp profiles live (the kubelet's <root-dir>/seccomp); localhostProfile is relative to it. */
  readonly seccompRoot: string;
  /** The daemon's own capabilities: what "privileged" and "add: [ALL]" can grant on this host. */
  readonly hostCapabilities?: readonly string[];
  /** The cluster DNS and the host's resolv.conf, for each pod's resolv.conf by its dnsPolicy (dns-config.ts). */
  readonly dns?: ClusterDnsSettings;
  /** The Services of a namespace, for the containers' Service variables (service-env.ts). */
  readonly services?: (namespace: string) => readonly Service[];
}

export function podLogDirectory(logRoot: string, pod: Pod): string {
  return join(logRoot, podLogDirectoryName(pod.metadata.namespace ?? 'default', pod.metadata.name, pod.metadata.uid ?? ''));
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
    // The kubelet sends no hostname for a hostNetwork pod: the runtime gives the node's.
    hostname: spec.hostNetwork ? '' : hostname,
    cgroupParent: podCgroupParent(ctx.cgroupRoot, pod),
    podResources: podResources(podRequestsAndLimits(pod), qos),
    network: spec.hostNetwork ? 'node' : 'pod',
    pid: spec.hostPID ? 'node' : spec.shareProcessNamespace ? 'pod' : 'container',
    ipc: spec.hostIPC ? 'node' : 'pod',
    portMappings,
    dns: ctx.dns
      ? podDnsConfig(pod, ctx.dns)
      : spec.dnsConfig
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
    seccomp: sandboxSeccomp(pod),
  };
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
    cpuReq:
      c.resources?.requests?.['cpu'] !== undefined
        ? cpuMilli(c.resources.requests['cpu'])
        : c.resources?.limits?.['cpu'] !== undefined
          ? cpuMilli(c.resources.limits['cpu'])
          : 0,
    cpuLim: c.resources?.limits?.['cpu'] !== undefined ? cpuMilli(c.resources.limits['cpu']) : undefined,
    memReq:
      c.resources?.requests?.['memory'] !== undefined
        ? memoryBytes(c.resources.requests['memory'])
        : c.resources?.limits?.['memory'] !== undefined
          ? memoryBytes(c.resources.limits['memory'])
          : 0,
    memLim: c.resources?.limits?.['memory'] !== undefined ? memoryBytes(c.resources.limits['memory']) : undefined,
  });
  const longRunning = [...(pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...pod.spec.containers].map(r);
  const inits = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy !== 'Always').map(r);
  const sum = (xs: (number | undefined)[]): number | undefined => (xs.some((x) => x === undefined) ? undefined : xs.reduce<number>((a, b) => a + (b ?? 0), 0));
  const maxInit = (xs: (number | undefined)[]): number | undefined => (xs.some((x) => x === undefined) ? undefined : Math.max(0, ...xs.map((x) => x ?? 0)));
  const pick = (main: number | undefined, init: number | undefined): number | undefined =>
    main === undefined || init === undefined ? undefined : Math.max(main, init);
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
  /** Staging bind of each subPath mount, by volumeMounts index (subpath-staging.ts). */
  readonly subPathSources?: ReadonlyMap<number, string>;
}

/** The CRI ContainerConfig the kubelet sends (generateContainerConfig): the image's defaults are the runtime's to merge. */
export function containerConfig(input: ContainerConvertInput): ContainerRequest {
  const { pod, container, image, attempt } = input;
  const env = resolveEnv(input);
  const expand = (values: readonly string[]): string[] => values.map((v) => expandEnvReferences(v, env));
  return {
    name: container.name,
    attempt,
    image: image.id,
    command: expand(container.command ?? []),
    args: expand(container.args ?? []),
    envs: [...env.entries()].map(([key, value]) => ({ key, value })),
    workingDir: container.workingDir ?? '',
    mounts: containerMounts(input, env),
    resources: containerResources(resourceInput(container)),
    oomScoreAdj: oomScoreAdjForContainer(pod, container, input.ctx),
    security: { ...securityInput(pod, container, image, input.ctx), ...(input.ctx.hostCapabilities ? { hostCapabilities: input.ctx.hostCapabilities } : {}) },
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

/**
 * Env as the kubelet builds it (makeEnvironmentVariables): envFrom, then env (later wins), $(VAR) expanded
 * against what came before. The image's env, PATH and HOSTNAME are not the kubelet's: the runtime puts them
 * under these, so `$(PATH)` stays as written, as in Kubernetes.
 */
function resolveEnv(input: ContainerConvertInput): Map<string, string> {
  const { pod, container, lookups } = input;
  const namespace = pod.metadata.namespace ?? 'default';
  const env = new Map<string, string>();
  // Before envFrom and env, which override them, and which may refer to them in $(VAR).
  for (const [k, v] of podServiceEnv(pod, input.ctx.services?.(namespace) ?? [])) env.set(k, v);
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    const data = from.configMapRef
      ? mapOrMissing(
          lookups.configMap(namespace, from.configMapRef.name ?? ''),
          configMapData,
          `configmap ${from.configMapRef.name ?? ''}`,
          from.configMapRef.optional,
        )
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
    if (value === undefined && !ref.optional)
      throw new PeapodError('FailedPrecondition', `configmap ${JSON.stringify(ref.name ?? '')} key ${JSON.stringify(ref.key)} not found`);
    return value;
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const secret = input.lookups.secret(namespace, ref.name ?? '');
    const data = secret ? secretData(secret).get(ref.key) : undefined;
    if (data === undefined && !ref.optional)
      throw new PeapodError('FailedPrecondition', `secret ${JSON.stringify(ref.name ?? '')} key ${JSON.stringify(ref.key)} not found`);
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

/** The API's mountPropagation as the kubelet hands it to the runtime (PROPAGATION_PRIVATE, _HOST_TO_CONTAINER, _BIDIRECTIONAL). */
const MOUNT_PROPAGATION: Readonly<Record<'None' | 'HostToContainer' | 'Bidirectional', NonNullable<VolumeMount['propagation']>>> = {
  None: 'private',
  HostToContainer: 'rslave',
  Bidirectional: 'rshared',
};

/** The container's subPath and subPathExpr mounts, expanded and checked, for the worker to open and stage. */
export function containerSubPaths(input: ContainerConvertInput): SubPathRequest[] {
  const env = resolveEnv(input);
  const requests: SubPathRequest[] = [];
  for (const [i, m] of (input.container.volumeMounts ?? []).entries()) {
    const sub = effectiveSubPath(m, env, `volumeMounts[${i}]`);
    if (!sub) continue;
    const volumePath = input.volumes.get(m.name);
    if (volumePath === undefined) throw new PeapodError('InvalidArgument', `volumeMounts[${i}].name: volume ${JSON.stringify(m.name)} not found`);
    requests.push({ index: i, volumePath, subPath: sub.path, field: sub.field });
  }
  return requests;
}

function containerMounts(input: ContainerConvertInput, env: ReadonlyMap<string, string>): VolumeMount[] {
  const { pod, container, volumes } = input;
  const mounts: VolumeMount[] = [];
  for (const [i, m] of (container.volumeMounts ?? []).entries()) {
    const source = volumes.get(m.name);
    if (source === undefined) throw new PeapodError('InvalidArgument', `volumeMounts[${i}].name: volume ${JSON.stringify(m.name)} not found`);
    // A subPath is only ever mounted from its safely opened staging bind, never from a path joined here.
    const sub = effectiveSubPath(m, env, `volumeMounts[${i}]`);
    const staged = input.subPathSources?.get(i);
    if (sub && staged === undefined) throw new PeapodError('Internal', `${sub.field}: ${JSON.stringify(sub.path)} was not staged`);
    // configMap, secret, downwardAPI and projected volumes are read-only whatever the mount says, as in Kubernetes.
    const volume = pod.spec.volumes?.find((v) => v.name === m.name);
    const projected = isProjectedVolume(volume);
    // A claim volume with readOnly: true is read-only in every container (the PVC volume source's readOnly).
    const claimReadOnly = volume?.persistentVolumeClaim?.readOnly === true;
    mounts.push({
      containerPath: m.mountPath,
      hostPath: sub ? (staged ?? source) : source,
      readOnly: m.readOnly === true || projected || claimReadOnly,
      // containerd binds every CRI mount with rbind; a projected volume's tmpfs holds no mounts anyway.
      recursive: true,
      propagation: MOUNT_PROPAGATION[m.mountPropagation ?? 'None'],
    });
  }
  if (input.terminationLogHostPath && container.terminationMessagePath) {
    mounts.push({
      containerPath: container.terminationMessagePath,
      hostPath: input.terminationLogHostPath,
      readOnly: false,
      recursive: true,
      createFile: true,
    });
  }
  return mounts;
}

/**
 * The kubelet's verifyRunAsNonRoot: it knows only the requested uid and the image's USER, so a named
 * image user cannot be proven non-root and is refused, as the kubelet refuses it.
 */
function verifyRunAsNonRoot(pod: Pod, container: Container, uid: number | undefined, imageUser: string): void {
  const where = `(pod: "${pod.metadata.name}", container: ${container.name})`;
  const effective = uid ?? numericImageUid(imageUser);
  if (effective === undefined) {
    throw new PeapodError(
      'FailedPrecondition',
      `container has runAsNonRoot and image has non-numeric user (${imageUser}), cannot verify user is non-root ${where}`,
    );
  }
  if (effective === 0) throw new PeapodError('FailedPrecondition', `container has runAsNonRoot and image will run as root ${where}`);
}

function securityInput(pod: Pod, container: Container, image: ImageRecord, ctx: ConvertContext): ContainerSecurityRequest {
  const podSc = pod.spec.securityContext ?? {};
  const sc = container.securityContext ?? {};
  const uid = sc.runAsUser ?? podSc.runAsUser;
  const gid = sc.runAsGroup ?? podSc.runAsGroup;
  if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) === true) verifyRunAsNonRoot(pod, container, uid, image.config.user ?? '');
  const seccompProfile = sc.seccompProfile ?? podSc.seccompProfile;
  const privileged = sc.privileged === true;
  return {
    user: {
      ...(uid !== undefined ? { uid } : {}),
      ...(gid !== undefined ? { gid } : {}),
      supplementalGroups: [...(podSc.supplementalGroups ?? []), ...(podSc.fsGroup !== undefined ? [podSc.fsGroup] : [])],
    },
    privileged,
    capabilitiesAdd: sc.capabilities?.add ?? [],
    capabilitiesDrop: sc.capabilities?.drop ?? [],
    readOnlyRootfs: sc.readOnlyRootFilesystem === true,
    noNewPrivileges: sc.allowPrivilegeEscalation === false && !privileged,
    seccomp: seccompRequest(seccompProfile, ctx),
    procMount: sc.procMount === 'Unmasked' ? 'Unmasked' : 'Default',
  };
}

/** The kubelet's getSeccompProfile: RuntimeDefault, Localhost, or unconfined when none is given (its seccompDefault off). */
function seccompRequest(profile: SeccompProfile | undefined, ctx: ConvertContext): SeccompRequest {
  if (profile?.type === 'RuntimeDefault') return { kind: 'runtime-default' };
  if (profile?.type === 'Localhost') return localhostSeccomp(profile.localhostProfile ?? '', ctx.seccompRoot);
  return { kind: 'unconfined' };
}

/**
 * The sandbox's profile, as the kubelet's generatePodSandboxLinuxConfig sends it: RuntimeDefault whatever
 * the pod asks for (a pod-level profile is written for the app and may not even let the pause start:
 * kubernetes#84623), and a privileged sandbox when any container is privileged, which containerd then
 * runs unconfined.
 */
function sandboxSeccomp(pod: Pod): SeccompRequest {
  return podContainers(pod.spec).some((c) => c.securityContext?.privileged === true) ? { kind: 'unconfined' } : { kind: 'runtime-default' };
}

/** The kubelet's Localhost profile: a path relative to its seccomp root, sent to the runtime as an absolute one. */
function localhostSeccomp(name: string, seccompRoot: string): SeccompRequest {
  if (name === '' || name.startsWith('/') || name.split('/').includes('..')) {
    throw new PeapodError('InvalidArgument', `seccompProfile.localhostProfile: ${JSON.stringify(name)} must be a relative path inside the seccomp directory`);
  }
  return { kind: 'localhost', path: join(seccompRoot, name) };
}
