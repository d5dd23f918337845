// `exec` into a pod (`peapod exec`, the dashboard's terminal) and `debug` (an ephemeral container added
// to it): which container, whether it can run the command, and the argv the client spawns with its own
// terminal (docs/architecture.md: exec runs in the client).
import { randomBytes } from 'node:crypto';
import { PeapodError } from '../common/errors.js';
import type { EphemeralContainer, Pod } from '../kube/types.js';
import { validateObjects } from '../kube/validate.js';
import type { RuntimeService } from '../runtime/service.js';
import type { PodRecord } from './pod-record.js';

export interface ExecRequest {
  readonly container?: string;
  readonly command: readonly string[];
  readonly tty: boolean;
  readonly stdin: boolean;
}

export interface ExecPlan {
  readonly argv: readonly string[];
  readonly containerId: string;
}

export interface DebugRequest {
  readonly name?: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly target?: string;
  readonly interactive: boolean;
  /** The CLI has a terminal: the exec gets a TTY. */
  readonly tty: boolean;
}

export interface DebugResult {
  readonly name: string;
  readonly containerId: string;
  /** With interactive debugging: the argv that runs the command with the CLI's terminal. */
  readonly argv?: readonly string[];
}

/** A request without a command is refused before the pod is even looked up. */
export function checkExecRequest(request: ExecRequest | undefined): asserts request is ExecRequest {
  if (!request || !Array.isArray(request.command) || request.command.length === 0)
    throw new PeapodError('InvalidArgument', 'you must specify at least one command for the container');
}

/** The argv that runs a command in a pod's running container. */
export function planExec(runtime: RuntimeService, record: PodRecord, request: ExecRequest): ExecPlan {
  const name = request.container ?? record.pod.spec.containers[0]?.name ?? '';
  const id = record.containers[name]?.containerId;
  const container = id === undefined ? undefined : runtime.containers.get(id);
  if (!container) throw new PeapodError('NotFound', `container ${name} not found in pod ${record.pod.metadata.name}`);
  if (container.state !== 'running')
    throw new PeapodError('FailedPrecondition', `cannot exec in a container that is not running; container ${name} is ${container.state}`);
  const argv = runtime.execCommand(container.id, request.command.map(String), { tty: request.tty, interactive: request.stdin });
  return { argv, containerId: container.id };
}

/** The ephemeral container a debug request asks for, checked as a pod's container would be (`debugger-xxxxx` unless named). */
export function debugContainer(request: DebugRequest): EphemeralContainer {
  const name = request.name ?? `debugger-${randomBytes(3).toString('hex').slice(0, 5)}`;
  const command = debugCommand(request);
  const validated = validateObjects([
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'debug' },
      spec: { containers: [{ name, image: request.image, ...(command.length ? { command } : {}) }] },
    },
  ]);
  const base = (validated[0] as Pod).spec.containers[0];
  return {
    ...(base ?? { name }),
    imagePullPolicy: 'IfNotPresent',
    terminationMessagePolicy: 'File',
    ...(request.interactive ? { stdin: true, tty: true } : {}),
    ...(request.target !== undefined ? { targetContainerName: request.target } : {}),
  };
}

/** With interactive debugging, the argv that runs the command (a shell by default) in the started container. */
export function debugExecArgv(runtime: RuntimeService, containerId: string, request: DebugRequest): readonly string[] {
  const command = debugCommand(request);
  return runtime.execCommand(containerId, command.length ? command : ['sh'], { tty: request.tty, interactive: true });
}

function debugCommand(request: DebugRequest): string[] {
  return (request.command ?? []).map(String);
}
