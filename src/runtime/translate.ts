// What containerd's CRI plugin does with a CRI request before it generates the OCI spec, done here once
// for both fronts (a Pod through kubelet/convert.ts, a CRI call through cri/): the image's ENTRYPOINT/CMD
// under the request's command/args, PATH, HOSTNAME and the image's env under the request's envs, the
// image's WORKDIR, USER and STOPSIGNAL as defaults, the Localhost seccomp profile read from its file, the
// pod's sysctls, and the node's hostname for a sandbox that gets none. What the kubelet decides (env from
// the pod, log paths, cgroup parents, the profile's path under its seccomp root) comes in the request.
import { readFile } from 'node:fs/promises';
import { constants, hostname as nodeHostname } from 'node:os';
import { isAbsolute } from 'node:path';
import { PeapodError, errorMessage } from '../common/errors.js';
import type { ImageRuntimeConfig } from '../image/types.js';
import { DEFAULT_PATH_ENV } from '../oci/defaults.js';
import type { SecurityInput } from '../oci/types.js';
import type { ContainerConfig, ContainerRequest, EnvEntry, SandboxConfig, SandboxRecord, SeccompRequest } from './types.js';

/**
 * containerd's WithHostname for the sandbox: an empty hostname is the node's. A sandbox in the node's
 * network (and so UTS) namespace sees the node's name whatever was asked, so its files and HOSTNAME say it too.
 */
export function resolveSandboxConfig(config: SandboxConfig, node: () => string = nodeHostname): SandboxConfig {
  return config.hostname === '' || config.network === 'node' ? { ...config, hostname: node() } : config;
}

/** What the runtime needs of an image here: its config. */
export interface ImageWithConfig {
  readonly config: ImageRuntimeConfig;
}

/** The request merged with its image and sandbox: what the record keeps and the spec is built from. */
export async function resolveContainerConfig(request: ContainerRequest, image: ImageWithConfig, sandbox: SandboxRecord): Promise<ContainerConfig> {
  const { command, args, envs, security, stopSignal, ...rest } = request;
  const { seccomp, user, ...flags } = security;
  const fromImage = imageStopSignal(image);
  return {
    ...rest,
    args: processArgs(command, args, image, request.name),
    env: processEnv(envs, image, sandbox.config.hostname),
    workingDir: request.workingDir || image.config.workingDir || '/',
    security: {
      ...flags,
      user: { ...user, image: image.config.user ?? '' },
      // Privileged containers run unconfined whatever the profile says: its file is not even read (containerd).
      seccomp: flags.privileged ? { kind: 'unconfined' } : await loadSeccomp(seccomp),
      // Namespaced sysctls are the pod's (set on the sandbox); none apply in the node's network namespace.
      sysctls: sandbox.config.network === 'node' ? {} : sandbox.config.sysctls,
    },
    ...(stopSignal !== undefined ? { stopSignal } : fromImage !== undefined ? { stopSignal: fromImage } : {}),
  };
}

/** containerd's WithProcessArgs: command replaces ENTRYPOINT (and drops CMD); otherwise args, or CMD, follow ENTRYPOINT. */
export function processArgs(command: readonly string[], args: readonly string[], image: ImageWithConfig, name: string): string[] {
  const argv = command.length > 0 ? [...command, ...args] : [...(image.config.entrypoint ?? []), ...(args.length > 0 ? args : (image.config.cmd ?? []))];
  if (argv.length === 0) throw new PeapodError('InvalidArgument', `container ${name}: no command specified and the image has no entrypoint or cmd`);
  return argv;
}

/**
 * containerd's order: the default PATH, HOSTNAME (the sandbox's hostname), the image's env, the request's
 * envs; a later value of a name replaces the earlier one in its place (replaceOrAppendEnvValues).
 */
export function processEnv(envs: readonly EnvEntry[], image: ImageWithConfig, hostname: string): string[] {
  const env = new Map<string, string>();
  const put = (entry: string): void => {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry);
  };
  put(DEFAULT_PATH_ENV);
  put(`HOSTNAME=${hostname}`);
  for (const e of image.config.env ?? []) put(e);
  for (const { key, value } of envs) env.set(key, `${key}=${value}`);
  return [...env.values()];
}

/** A Localhost profile is read from its absolute path on the host, as containerd reads localhost_ref. */
export async function loadSeccomp(seccomp: SeccompRequest): Promise<SecurityInput['seccomp']> {
  if (seccomp.kind !== 'localhost') return seccomp;
  if (!isAbsolute(seccomp.path)) throw new PeapodError('InvalidArgument', `seccomp profile ${JSON.stringify(seccomp.path)} must be an absolute path`);
  let text: string;
  try {
    text = await readFile(seccomp.path, 'utf8');
  } catch (err) {
    throw new PeapodError('NotFound', `cannot load seccomp profile ${seccomp.path}: ${errorMessage(err)}`);
  }
  try {
    return { kind: 'localhost', profile: JSON.parse(text) as unknown };
  } catch (err) {
    throw new PeapodError('InvalidArgument', `seccomp profile ${seccomp.path} is not JSON: ${errorMessage(err)}`);
  }
}

/** The image's STOPSIGNAL ("SIGQUIT", "QUIT"), if it names a signal this host knows. */
function imageStopSignal(image: ImageWithConfig): NodeJS.Signals | undefined {
  const given = image.config.stopSignal?.toUpperCase();
  if (given === undefined || given === '') return undefined;
  const full = given.startsWith('SIG') ? given : `SIG${given}`;
  return Object.prototype.hasOwnProperty.call(constants.signals, full) ? (full as NodeJS.Signals) : undefined;
}
