// Composes the Kubernetes API front from the daemon's services: the pod manager (pods, configmaps,
// secrets, events), the host (the Node), the runtime and the CRI streaming sessions (exec, attach,
// port-forward), on HTTPS with the credentials made at first start.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Workloads } from '../controllers/index.js';
import { workloadStores } from './resources/workloads.js';
import type { PodManager } from '../kubelet/manager.js';
import type { RuntimeService } from '../runtime/service.js';
import type { EphemeralContainer } from '../kube/types.js';
import { streamingSessions } from '../cri/streaming/sessions.js';
import { readCredentials } from './credential-files.js';
import { startKubeApiServer, type KubeApiServer, type SubresourceHandlers } from './server.js';
import { podStore, podToObject } from './resources/pods.js';
import { nodeName, nodeStore } from './resources/node.js';
import { dataStore, eventStore, namespaceStore } from './resources/objects.js';
import { podOrNotFound, serveLog, streamingRequest, upgradeSpdy } from './streams.js';
import { badRequest, methodNotAllowed } from './status.js';
import { readBody } from './rest.js';
import { strategicMerge, mergePatch } from './patch.js';
import { upgradeWebSocket } from './websocket.js';

export interface KubeApiDeps {
  readonly port: number;
  readonly certDir: string;
  readonly root: string;
  readonly pods: PodManager;
  readonly runtime: RuntimeService;
  readonly log: (message: string) => void;
  /** The controllers' objects (apps/v1, batch/v1, Services, ...): served read and delete. */
  readonly workloads?: Workloads;
}

/** How long an ephemeral container gets to start (kubectl debug waits for it on its own). */
const EPHEMERAL_START_MS = 120_000;

export async function startKubeApi(deps: KubeApiDeps): Promise<KubeApiServer> {
  // node-forge (about 1 MB of JavaScript) is loaded only the first time, to issue the credentials; a
  // daemon that has them carries none of it.
  const credentials = (await readCredentials(deps.certDir)) ?? (await (await import('./certs.js')).ensureCredentials(deps.certDir));
  const host = nodeName();
  const bootTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const stores = [
    podStore(deps.pods, host),
    nodeStore(deps.root),
    namespaceStore(deps.pods, bootTime),
    dataStore(deps.pods, 'ConfigMap'),
    dataStore(deps.pods, 'Secret'),
    eventStore(deps.pods, host),
  ];
  const sessions = streamingSessions(deps.runtime, deps.log);
  const subresources: SubresourceHandlers = {
    async serve(namespace, name, sub, req: IncomingMessage, res: ServerResponse, signal) {
      const record = podOrNotFound(deps.pods, namespace, name);
      if (sub === 'log' && req.method === 'GET') {
        await serveLog(deps.pods, record, new URL(req.url ?? '/', 'https://x').searchParams, res, signal);
        return true;
      }
      if (sub === 'status' && req.method === 'GET') {
        const body = JSON.stringify(podToObject(deps.pods, record, host));
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
        return true;
      }
      if (sub === 'ephemeralcontainers') {
        if (req.method !== 'PATCH' && req.method !== 'PUT' && req.method !== 'GET')
          throw methodNotAllowed(`${req.method ?? ''} is not supported on pods/ephemeralcontainers`);
        const current = podToObject(deps.pods, record, host);
        if (req.method !== 'GET') await addEphemeral(deps, namespace, name, current, req);
        const after = podOrNotFound(deps.pods, namespace, name);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(podToObject(deps.pods, after, host)));
        return true;
      }
      return false;
    },
    upgrade(namespace, name, sub, req: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams) {
      if (sub !== 'exec' && sub !== 'attach' && sub !== 'portforward') throw badRequest(`pods/${sub} does not upgrade`);
      const request = streamingRequest(deps.runtime, podOrNotFound(deps.pods, namespace, name), sub, query);
      if ((req.headers.upgrade ?? '').toLowerCase() === 'websocket') upgradeWebSocket(req, socket, head, request, deps.runtime, sessions, deps.log);
      else upgradeSpdy(req, socket, head, request, sessions, deps.log);
    },
  };
  const server = await startKubeApiServer(deps.port, credentials, stores, subresources, deps.log, deps.workloads ? workloadStores(deps.workloads) : []);
  deps.log(`Kubernetes API listening on https://127.0.0.1:${deps.port} (client certificates only; peapod kubeconfig writes one)`);
  return server;
}

/** PATCH/PUT pods/{name}/ephemeralcontainers: the containers new in spec.ephemeralContainers are added and started. */
async function addEphemeral(deps: KubeApiDeps, namespace: string, name: string, current: Record<string, unknown>, req: IncomingMessage): Promise<void> {
  const raw = (await readBody(req)).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(raw) as unknown;
  } catch {
    throw badRequest('the body of the request was in an unknown format');
  }
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
  const next = (req.method === 'PUT' ? body : contentType === 'application/merge-patch+json' ? mergePatch(current, body) : strategicMerge(current, body)) as {
    kind?: string;
    spec?: { ephemeralContainers?: EphemeralContainer[] };
    ephemeralContainers?: EphemeralContainer[];
  };
  // Before 1.22 the subresource took an EphemeralContainers object (kubectl 1.20's debug PUTs one).
  const wanted = next.kind === 'EphemeralContainers' ? next.ephemeralContainers : next.spec?.ephemeralContainers;
  const before = new Set(((current['spec'] as { ephemeralContainers?: EphemeralContainer[] }).ephemeralContainers ?? []).map((c) => c.name));
  for (const container of wanted ?? []) {
    if (before.has(container.name)) continue;
    const started = deps.pods.addEphemeralContainer(
      namespace,
      name,
      { ...container, imagePullPolicy: container.imagePullPolicy ?? 'IfNotPresent', terminationMessagePolicy: container.terminationMessagePolicy ?? 'File' },
      EPHEMERAL_START_MS,
      'attach',
    );
    // Accepted once recorded; kubectl watches the pod until the container runs, as against a cluster.
    started.catch((err: unknown) =>
      deps.log(`ephemeral container ${container.name} in ${namespace}/${name}: ${err instanceof Error ? err.message : String(err)}`),
    );
    await new Promise((resolve) => setImmediate(resolve));
  }
}
