// Pod routes of the local API: thin translation to the pod manager (apply, list, get, describe,
// delete, logs, exec). Bodies are validated again here: the socket is a trust boundary.
import type { ApiRouter } from '../server.js';
import { PeapodError } from '../../common/errors.js';
import { validateObjects } from '../../kube/validate.js';
import { checkDns1123Label, checkDns1123Subdomain } from '../../kube/names.js';
import type { Finding } from '../../kube/schema.js';
import { defaultManifestObject, type ManifestObject } from '../../kube/manifest-object.js';
import type { ObjectApplier } from '../../controllers/apply.js';
import { parseManifests } from '../../kube/load.js';
import type { ManifestSource } from '../../kube/manifest-sources.js';
import type { EphemeralContainer, Pod } from '../../kube/types.js';
import { randomBytes } from 'node:crypto';

/** An ephemeral container gets this long to pull and start. */
const DEBUG_START_TIMEOUT_MS = 120_000;
import type { PodManager, PodView, ApplyResult } from '../../kubelet/manager.js';

export type { PodView, ApplyResult } from '../../kubelet/manager.js';
import { podLinuxView, type PodLinuxView } from '../../kubelet/linux-view.js';
import type { PodEvent } from '../../kubelet/pod-record.js';
import { resolveLogTarget } from '../../kubelet/log-target.js';
import type { RuntimeService } from '../../runtime/service.js';
import { readLog } from '../../runtime/logs/reader.js';
import { criPodViews } from './cri-pods.js';

export interface ApplyRequest {
  readonly objects: readonly unknown[];
  readonly force?: boolean;
  /** Wait until the applied pods run (or finish), up to this many ms. */
  readonly waitMs?: number;
}

/** `peapod apply -f`: the manifest texts as read, parsed here where the modules are already loaded. */
export interface ApplyManifestsRequest {
  readonly sources: readonly ManifestSource[];
  /** What the user passed to -f, for the "holds no manifest" error. */
  readonly source: string;
  readonly force?: boolean;
  readonly waitMs?: number;
}

export interface ApplyManifestsResult {
  readonly results: readonly ApplyResult[];
  readonly warnings: readonly string[];
}

export interface DescribeResult {
  readonly view: PodView;
  readonly events: readonly PodEvent[];
  readonly linux: PodLinuxView;
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

export interface ExecRequest {
  readonly container?: string;
  readonly command: readonly string[];
  readonly tty: boolean;
  readonly stdin: boolean;
}

/**
 * URL names are checked as the API server checks object names before anything uses them: a namespace is
 * a DNS-1123 label, a name a DNS-1123 subdomain, so no `..`, `/` or NUL ever reaches a lookup or a path.
 */
export function registerNameParams(router: ApiRouter): void {
  const refuse =
    (check: (value: unknown, path: string, errors: Finding[]) => void, field: string) =>
    (value: string): void => {
      const errors: Finding[] = [];
      check(value, field, errors);
      if (errors.length > 0) throw new PeapodError('InvalidArgument', errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
    };
  router.param('namespace', refuse(checkDns1123Label, 'namespace'));
  router.param('name', refuse(checkDns1123Subdomain, 'name'));
}

export function registerPodRoutes(router: ApiRouter, pods: PodManager, runtime: RuntimeService, logRoot: string, applier: ObjectApplier): void {
  registerNameParams(router);
  const applyAndWait = async (objects: ManifestObject[], force: unknown, waitMs: unknown): Promise<ApplyResult[]> => {
    const results = await applier.apply(objects, { force: force === true });
    if (typeof waitMs === 'number' && waitMs > 0) {
      await Promise.all(results.filter((r) => r.kind === 'pod').map((r) => pods.waitStarted(r.namespace, r.name, waitMs)));
    }
    return results;
  };

  router.json('POST', '/v1/apply', async ({ body }): Promise<ApplyResult[]> => {
    const request = body as ApplyRequest | undefined;
    if (!request || !Array.isArray(request.objects)) throw new PeapodError('InvalidArgument', 'body: expected {"objects": [...]}');
    const objects = validateObjects(request.objects).map((o) => defaultManifestObject(o));
    return applyAndWait(objects, request.force, request.waitMs);
  });

  router.json('POST', '/v1/apply/manifests', async ({ body }): Promise<ApplyManifestsResult> => {
    const request = body as Partial<ApplyManifestsRequest> | undefined;
    const sources = request?.sources;
    const wellFormed = Array.isArray(sources) && sources.every((s: unknown) => isManifestSource(s));
    if (!request || !wellFormed || typeof request.source !== 'string') {
      throw new PeapodError('InvalidArgument', 'body: expected {"source": "...", "sources": [{"file": "...", "text": "..."}]}');
    }
    const loaded = parseManifests(sources, request.source);
    const results = await applyAndWait(
      loaded.objects.map((o) => o.object),
      request.force,
      request.waitMs,
    );
    return { results, warnings: loaded.warnings };
  });

  router.json('GET', '/v1/pods', ({ query }) => {
    const all = query.get('all') === 'true';
    const namespace = all ? undefined : (query.get('namespace') ?? 'default');
    return Promise.resolve([...pods.list(namespace), ...criPodViews(runtime, new Set(pods.pods.list().map((r) => r.id)), namespace)]);
  });

  router.json('GET', '/v1/namespaces/:namespace/pods/:name', ({ params }) =>
    Promise.resolve(pods.view(pods.get(params['namespace'] ?? 'default', params['name'] ?? ''))),
  );

  router.json('GET', '/v1/namespaces/:namespace/pods/:name/describe', async ({ params }): Promise<DescribeResult> => {
    const record = pods.get(params['namespace'] ?? 'default', params['name'] ?? '');
    return { view: pods.view(record), events: record.events, linux: await podLinuxView(record, runtime) };
  });

  router.json('DELETE', '/v1/namespaces/:namespace/pods/:name', async ({ params, query }) => {
    const grace = query.get('gracePeriod');
    const graceSeconds = grace === null ? undefined : Number(grace);
    if (graceSeconds !== undefined && (!Number.isInteger(graceSeconds) || graceSeconds < 0)) {
      throw new PeapodError('InvalidArgument', `--grace-period: ${JSON.stringify(grace)} must be a non-negative integer`);
    }
    const deleted = await pods.delete(params['namespace'] ?? 'default', params['name'] ?? '', graceSeconds === undefined ? {} : { graceSeconds });
    return { deleted };
  });

  router.json('DELETE', '/v1/namespaces/:namespace/configmaps/:name', async ({ params }) => ({
    deleted: await pods.objects.deleteConfigMap(params['namespace'] ?? 'default', params['name'] ?? ''),
  }));
  router.json('DELETE', '/v1/namespaces/:namespace/secrets/:name', async ({ params }) => ({
    deleted: await pods.objects.deleteSecret(params['namespace'] ?? 'default', params['name'] ?? ''),
  }));

  router.stream('GET', '/v1/pods/watch', async ({ query, signal }, emit) => {
    const namespace = query.get('all') === 'true' ? undefined : (query.get('namespace') ?? 'default');
    await new Promise<void>((resolve) => {
      const off = pods.onChange((uid) => {
        const record = pods.pods.get(uid);
        if (record && (namespace === undefined || (record.pod.metadata.namespace ?? 'default') === namespace)) emit(pods.view(record));
      });
      signal.addEventListener('abort', () => {
        off();
        resolve();
      });
    });
    return null;
  });

  router.raw('GET', '/v1/namespaces/:namespace/pods/:name/log', async ({ params, query, signal }, _req, res) => {
    const record = pods.get(params['namespace'] ?? 'default', params['name'] ?? '');
    const previous = query.get('previous') === 'true';
    const { path, containerId } = resolveLogTarget(record, logRoot, query.get('container') ?? undefined, previous);
    const tail = query.get('tail');
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    await readLog(path, (text) => res.write(text), {
      timestamps: query.get('timestamps') === 'true',
      follow: query.get('follow') === 'true' && !previous,
      signal,
      ...(tail !== null && Number(tail) >= 0 ? { tail: Number(tail) } : {}),
      isDone: () => containerId === undefined || runtime.containers.get(containerId)?.state !== 'running',
    });
    res.end();
  });

  router.json('POST', '/v1/namespaces/:namespace/pods/:name/debug', async ({ params, body }): Promise<DebugResult> => {
    const request = body as DebugRequest | undefined;
    if (!request || typeof request.image !== 'string' || request.image === '') throw new PeapodError('InvalidArgument', '--image: required');
    if (request.command !== undefined && !Array.isArray(request.command)) throw new PeapodError('InvalidArgument', 'command: expected an array of strings');
    if (request.name !== undefined && typeof request.name !== 'string') throw new PeapodError('InvalidArgument', 'name: expected a string');
    if (request.target !== undefined && typeof request.target !== 'string') throw new PeapodError('InvalidArgument', 'target: expected a string');
    const name = request.name ?? `debugger-${randomBytes(3).toString('hex').slice(0, 5)}`;
    const command = (request.command ?? []).map(String);
    const interactive = request.interactive === true;
    const validated = validateObjects([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'debug' },
        spec: { containers: [{ name, image: request.image, ...(command.length ? { command } : {}) }] },
      },
    ]);
    const base = (validated[0] as Pod).spec.containers[0];
    const container: EphemeralContainer = {
      ...(base ?? { name }),
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePolicy: 'File',
      ...(interactive ? { stdin: true, tty: true } : {}),
      ...(request.target !== undefined ? { targetContainerName: request.target } : {}),
    };
    const id = await pods.addEphemeralContainer(params['namespace'] ?? 'default', params['name'] ?? '', container, DEBUG_START_TIMEOUT_MS);
    if (!interactive) return { name, containerId: id };
    const argv = runtime.execCommand(id, command.length ? command : ['sh'], { tty: request.tty === true, interactive: true });
    return { name, containerId: id, argv };
  });

  router.json('POST', '/v1/namespaces/:namespace/pods/:name/exec', ({ params, body }): Promise<ExecPlan> =>
    Promise.resolve(planExec(pods, runtime, params['namespace'] ?? 'default', params['name'] ?? '', body as ExecRequest | undefined)),
  );
}

/** The argv that runs a command in a pod's running container (`peapod exec`, the dashboard's terminal). */
export function planExec(pods: PodManager, runtime: RuntimeService, namespace: string, podName: string, request: ExecRequest | undefined): ExecPlan {
  if (!request || !Array.isArray(request.command) || request.command.length === 0)
    throw new PeapodError('InvalidArgument', 'you must specify at least one command for the container');
  const record = pods.get(namespace, podName);
  const name = request.container ?? record.pod.spec.containers[0]?.name ?? '';
  const id = record.containers[name]?.containerId;
  const container = id === undefined ? undefined : runtime.containers.get(id);
  if (!container) throw new PeapodError('NotFound', `container ${name} not found in pod ${record.pod.metadata.name}`);
  if (container.state !== 'running')
    throw new PeapodError('FailedPrecondition', `cannot exec in a container that is not running; container ${name} is ${container.state}`);
  const argv = runtime.execCommand(container.id, request.command.map(String), { tty: request.tty, interactive: request.stdin });
  return { argv, containerId: container.id };
}

function isManifestSource(value: unknown): value is ManifestSource {
  if (typeof value !== 'object' || value === null) return false;
  const { file, text } = value as Record<string, unknown>;
  return typeof file === 'string' && typeof text === 'string';
}
