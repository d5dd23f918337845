// The RPC table: method name (as in proto/api.proto) → handler. Kept apart from server.ts so a test
// can check that every RPC of the .proto has an answer.
import type { CriContext } from './context.js';
import { unimplemented } from './errors.js';
import type { Fields } from './fields.js';
import { runtimeConfig, status, updateRuntimeConfig, version } from './runtime_info.js';
import { runPodSandbox } from './sandbox_run.js';
import { stopPodSandbox } from './sandbox_stop.js';
import { removePodSandbox } from './sandbox_remove.js';
import { listPodSandbox, podSandboxStatusRpc } from './sandbox_status.js';
import { createContainer } from './container_create.js';
import { startContainer } from './container_start.js';
import { stopContainer } from './container_stop.js';
import { removeContainer } from './container_remove.js';
import { containerStatusRpc, listContainers } from './container_status.js';
import { updateContainerResources, updatePodSandboxResources } from './container_update.js';
import { attach, exec, execSync, portForward } from './container_exec.js';
import { reopenContainerLog } from './container_log.js';
import { containerStats, listContainerStats, listPodSandboxStats, podSandboxStats } from './stats.js';
import { imageStatus, listImages } from './image_status.js';
import { pullImage, removeImage } from './image_pull.js';
import { imageFsInfo } from './image_fs.js';

export type Handler = (ctx: CriContext, request: Fields, signal: AbortSignal) => Promise<unknown>;

const refuse =
  (name: string, reason: string): Handler =>
  () =>
    Promise.reject(unimplemented(name, reason));

export const runtimeServiceHandlers: Readonly<Record<string, Handler>> = {
  Version: (ctx) => version(ctx),
  Status: status,
  UpdateRuntimeConfig: updateRuntimeConfig,
  RuntimeConfig: () => runtimeConfig(),
  RunPodSandbox: runPodSandbox,
  StopPodSandbox: stopPodSandbox,
  RemovePodSandbox: removePodSandbox,
  PodSandboxStatus: podSandboxStatusRpc,
  ListPodSandbox: listPodSandbox,
  UpdatePodSandboxResources: updatePodSandboxResources,
  CreateContainer: createContainer,
  StartContainer: startContainer,
  StopContainer: stopContainer,
  RemoveContainer: removeContainer,
  ListContainers: listContainers,
  ContainerStatus: containerStatusRpc,
  UpdateContainerResources: updateContainerResources,
  ReopenContainerLog: reopenContainerLog,
  ExecSync: execSync,
  Exec: exec,
  Attach: attach,
  PortForward: portForward,
  ContainerStats: containerStats,
  ListContainerStats: listContainerStats,
  PodSandboxStats: podSandboxStats,
  ListPodSandboxStats: listPodSandboxStats,
  CheckpointContainer: refuse('CheckpointContainer', 'checkpoint/restore (CRIU) is not supported'),
  ListMetricDescriptors: refuse('ListMetricDescriptors', 'pod metrics come from ListPodSandboxStats; no Prometheus-style metrics are exported'),
  ListPodSandboxMetrics: refuse('ListPodSandboxMetrics', 'pod metrics come from ListPodSandboxStats; no Prometheus-style metrics are exported'),
};

/** Server-streaming RPCs newer than peapod's support; GetContainerEvents is served in server.ts. */
export const UNSERVED_STREAMS: Readonly<Record<string, string>> = {
  StreamPodSandboxes: 'use ListPodSandbox',
  StreamContainers: 'use ListContainers',
  StreamContainerStats: 'use ListContainerStats',
  StreamPodSandboxStats: 'use ListPodSandboxStats',
  StreamPodSandboxMetrics: 'no Prometheus-style metrics are exported',
};

export const imageServiceHandlers: Readonly<Record<string, Handler>> = {
  ListImages: listImages,
  ImageStatus: imageStatus,
  PullImage: pullImage,
  RemoveImage: removeImage,
  ImageFsInfo: (ctx) => imageFsInfo(ctx),
};
