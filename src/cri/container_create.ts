// CreateContainer: the CRI ContainerConfig → the runtime's ContainerRequest, field for field (command,
// args, envs, mounts, resources, security), created under the container's reserved name within its
// sandbox. Merging it with the image (entrypoint/cmd, env, PATH, user, workdir, stop signal) is the
// runtime's, as it is containerd's (runtime/translate.ts).
import { constants } from 'node:os';
import { isAbsolute, posix } from 'node:path';
import { PeapodError } from '../common/errors.js';
import { clampOomScoreAdj } from '../oci/resources.js';
import type { ContainerRequest, EnvEntry, SandboxRecord, VolumeMount } from '../runtime/types.js';
import type { CriContext } from './context.js';
import { readResources } from './convert.js';
import type { Fields } from './fields.js';
import { findContainer, requireSandbox } from './lookup.js';
import { containerName } from './names.js';
import { securityFrom } from './container_security.js';
import { MOUNT_PROPAGATIONS, NAMESPACE_MODES } from './types.js';
import { refuseUnsupportedContainerFields, refuseUnsupportedImageSpec } from './unsupported.js';

const PROPAGATION: Readonly<Record<(typeof MOUNT_PROPAGATIONS)[number], NonNullable<VolumeMount['propagation']>>> = {
  PROPAGATION_PRIVATE: 'private',
  PROPAGATION_HOST_TO_CONTAINER: 'rslave',
  PROPAGATION_BIDIRECTIONAL: 'rshared',
};

export async function createContainer(ctx: CriContext, request: Fields): Promise<{ container_id: string }> {
  const sandbox = requireSandbox(ctx.runtime, request.str('pod_sandbox_id'));
  const configMsg = request.msg('config');
  if (!configMsg) throw new PeapodError('InvalidArgument', 'config: a ContainerConfig is required');
  const ref = configMsg.msg('image')?.str('image') ?? '';
  if (ref === '') throw new PeapodError('InvalidArgument', 'config.image.image must name an image');
  const image = await ctx.images.find(ref);
  if (!image) throw new PeapodError('NotFound', `image ${JSON.stringify(ref)} not found`, { hint: 'pull it first (PullImage)' });
  const config = containerConfigFrom(configMsg, ref, sandbox, ctx);
  const record = await ctx.names.withReservation('container', containerName(sandbox.id, config), () => ctx.runtime.createContainer(sandbox.id, config, image));
  ctx.events.emit('CONTAINER_CREATED_EVENT', record);
  return { container_id: record.id };
}

export function containerConfigFrom(f: Fields, ref: string, sandbox: SandboxRecord, ctx: CriContext): ContainerRequest {
  const meta = f.msg('metadata');
  const name = meta?.str('name') ?? '';
  if (name === '') throw new PeapodError('InvalidArgument', 'config.metadata.name must not be empty');
  const attempt = meta?.int('attempt') ?? 0;
  refuseUnsupportedImageSpec(f.msg('image'));
  refuseUnsupportedContainerFields(f, { network: sandbox.config.network === 'node' ? 'NODE' : 'POD', ipc: sandbox.config.ipc === 'node' ? 'NODE' : 'POD' });
  const linux = f.msg('linux');
  const resourcesMsg = linux?.msg('resources');
  const sc = linux?.msg('security_context');
  const stopSignal = stopSignalFrom(f.enumOf('stop_signal', SIGNAL_NAMES));
  const target = targetContainer(sc, ctx, sandbox);
  return {
    name,
    attempt,
    image: ref,
    command: f.strList('command'),
    args: f.strList('args'),
    envs: f.list('envs').map(envEntry),
    workingDir: f.str('working_dir'),
    mounts: f.list('mounts').map(mountFrom),
    resources: readResources(resourcesMsg),
    oomScoreAdj: clampOomScoreAdj(resourcesMsg?.int('oom_score_adj') ?? 0, ctx.settings.oomScoreAdjFloor),
    security: securityFrom(sc, ctx),
    tty: f.bool('tty'),
    stdin: f.bool('stdin'),
    stdinOnce: f.bool('stdin_once'),
    logPath: logPathFrom(f.str('log_path'), name, attempt),
    ...(target !== undefined ? { targetContainerId: target } : {}),
    ...(stopSignal !== undefined ? { stopSignal } : {}),
    labels: f.strMap('labels'),
    annotations: f.strMap('annotations'),
  };
}

function envEntry(kv: Fields): EnvEntry {
  const key = kv.str('key');
  if (key === '' || key.includes('=')) throw new PeapodError('InvalidArgument', `${kv.path}.key ${JSON.stringify(key)} is not a valid variable name`);
  return { key, value: kv.bytes('value').toString('utf8') };
}

function mountFrom(m: Fields): VolumeMount {
  const containerPath = m.str('container_path');
  const hostPath = m.str('host_path');
  if (!isAbsolute(containerPath)) throw new PeapodError('InvalidArgument', `${m.path}.container_path ${JSON.stringify(containerPath)} must be absolute`);
  if (m.msg('image') && (m.msg('image')?.str('image') ?? '') !== '') {
    throw new PeapodError('Unimplemented', `${m.path}.image: image volumes are not supported by peapod`);
  }
  if (!isAbsolute(hostPath)) throw new PeapodError('InvalidArgument', `${m.path}.host_path ${JSON.stringify(hostPath)} must be absolute`);
  return {
    containerPath,
    hostPath,
    readOnly: m.bool('readonly'),
    // The kubelet's volumes may hold mounts of their own (rbind, as containerd mounts them).
    recursive: true,
    propagation: PROPAGATION[m.enumOf('propagation', MOUNT_PROPAGATIONS)],
  };
}

/** log_path is relative to the sandbox's log_directory and must stay inside it. */
function logPathFrom(given: string, name: string, attempt: number): string {
  if (given === '') return `${name}_${attempt}.log`;
  const normalized = posix.normalize(given);
  if (isAbsolute(normalized) || normalized.startsWith('../') || normalized === '..') {
    throw new PeapodError('InvalidArgument', `config.log_path ${JSON.stringify(given)} must be relative to the sandbox's log_directory`);
  }
  return normalized;
}

/** namespace_options.pid TARGET (ephemeral containers): share the PID namespace of target_id. */
function targetContainer(sc: Fields | undefined, ctx: CriContext, sandbox: SandboxRecord): string | undefined {
  const ns = sc?.msg('namespace_options');
  if (!ns || ns.enumOf('pid', NAMESPACE_MODES) !== 'TARGET') return undefined;
  const target = findContainer(ctx.runtime, ns.str('target_id'));
  if (!target || target.sandboxId !== sandbox.id) {
    throw new PeapodError('NotFound', `${ns.path}.target_id: container ${JSON.stringify(ns.str('target_id'))} not found in sandbox ${sandbox.id}`);
  }
  return target.id;
}

/** The CRI Signal enum's names in number order (RUNTIME_DEFAULT = 0). */
export const SIGNAL_NAMES = [
  'RUNTIME_DEFAULT',
  'SIGABRT',
  'SIGALRM',
  'SIGBUS',
  'SIGCHLD',
  'SIGCLD',
  'SIGCONT',
  'SIGFPE',
  'SIGHUP',
  'SIGILL',
  'SIGINT',
  'SIGIO',
  'SIGIOT',
  'SIGKILL',
  'SIGPIPE',
  'SIGPOLL',
  'SIGPROF',
  'SIGPWR',
  'SIGQUIT',
  'SIGSEGV',
  'SIGSTKFLT',
  'SIGSTOP',
  'SIGSYS',
  'SIGTERM',
  'SIGTRAP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGURG',
  'SIGUSR1',
  'SIGUSR2',
  'SIGVTALRM',
  'SIGWINCH',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGRTMIN',
  ...Array.from({ length: 15 }, (_, i) => `SIGRTMINPLUS${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `SIGRTMAXMINUS${14 - i}`),
  'SIGRTMAX',
] as const;

function isNodeSignal(name: string): name is NodeJS.Signals {
  return Object.prototype.hasOwnProperty.call(constants.signals, name);
}

/** RUNTIME_DEFAULT: left undefined for the runtime's default (the image's STOPSIGNAL, else SIGTERM). */
function stopSignalFrom(name: string): NodeJS.Signals | undefined {
  if (name === 'RUNTIME_DEFAULT') return undefined;
  if (!isNodeSignal(name)) throw new PeapodError('InvalidArgument', `config.stop_signal ${name} is not supported by peapod`);
  return name;
}
