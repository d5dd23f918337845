// The frame of a CRI integration test: isolated roots with a CRI socket of their own (outside runRoot,
// so the leak check's file list stays the daemon's), a real daemon, the offline busybox image loaded,
// a gRPC client, and teardown that closes the client, stops the daemon and force-cleans even on failure.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { makeTestRoots, type TestRoots } from '../helpers/roots.js';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { criClient, type CriClient, type Message } from './client.js';

/** The daemon answers on its API socket first and opens the CRI socket right after. */
const CRI_READY_MS = 10_000;

async function connect(socket: string): Promise<CriClient> {
  const client = criClient(socket);
  await waitFor(
    () =>
      client.runtime('Version', {}, 1000).then(
        () => true,
        () => false,
      ),
    { timeoutMs: CRI_READY_MS, description: `the CRI socket ${socket} to answer` },
  );
  return client;
}

export interface CriTest {
  readonly roots: TestRoots;
  readonly socket: string;
  daemon: TestDaemon;
  client: CriClient;
  /** Stops the daemon (SIGTERM) and starts a new one on the same roots; reconnects the client. */
  restart(): Promise<void>;
}

export async function startCriTest(t: { after: (fn: () => Promise<void>) => void }): Promise<CriTest> {
  const base = await makeTestRoots();
  const socket = join(base.dir, 'cri.sock');
  const roots: TestRoots = {
    ...base,
    config: { ...base.config, criSocket: socket },
    env: () => ({ ...base.env(), PEAPOD_CRI_SOCKET: socket }),
  };
  const state: CriTest = {
    roots,
    socket,
    daemon: await startDaemon(roots),
    client: await connect(socket),
    async restart() {
      state.client.close();
      await state.daemon.stop();
      state.daemon = await startDaemon(roots);
      state.client = await connect(socket);
    },
  };
  t.after(async () => {
    state.client.close();
    await state.daemon.stop().catch(() => undefined);
    await roots.cleanup();
  });
  await loadBusybox(roots);
  return state;
}

export const BUSYBOX = 'docker.io/library/busybox:latest';

export function sandboxConfig(roots: TestRoots, name: string, extra: Message = {}): Message {
  const uid = randomBytes(8).toString('hex');
  return {
    metadata: { name, namespace: 'cri-test', uid, attempt: 0 },
    hostname: name,
    log_directory: join(roots.dir, 'logs', uid),
    // As the kubelet sends it for a pod without shareProcessNamespace/hostNetwork/hostPID/hostIPC.
    linux: { cgroup_parent: `/kubepods/besteffort/pod${uid}`, security_context: { namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
    labels: { app: name, 'io.kubernetes.pod.name': name },
    annotations: { note: 'cri test' },
    ...extra,
  };
}

export function containerConfig(name: string, command: string[], extra: Message = {}): Message {
  return {
    metadata: { name, attempt: 0 },
    image: { image: BUSYBOX },
    command,
    log_path: `${name}/0.log`,
    labels: { container: name },
    ...extra,
  };
}

export interface ContainerStatusMsg {
  id: string;
  state: string;
  exit_code: number;
  reason: string;
  created_at: string;
  started_at: string;
  finished_at: string;
  log_path: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  metadata: { name: string; attempt: number };
}

export async function containerStatus(client: CriClient, id: string): Promise<ContainerStatusMsg> {
  const r = await client.runtime<{ status: ContainerStatusMsg }>('ContainerStatus', { container_id: id });
  return r.status;
}

export interface SandboxStatusMsg {
  id: string;
  state: string;
  created_at: string;
  network: { ip: string } | null;
  linux: { namespaces: { options: { network: string; pid: string; ipc: string } } } | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  metadata: { name: string; namespace: string; uid: string; attempt: number };
}

export async function sandboxStatus(client: CriClient, id: string, verbose = false): Promise<{ status: SandboxStatusMsg; info: Record<string, string> }> {
  return client.runtime('PodSandboxStatus', { pod_sandbox_id: id, verbose });
}
