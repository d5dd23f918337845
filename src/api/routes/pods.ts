// Pod routes of the local API: thin translation to the pod manager (apply, list, get, describe,
// delete, logs, debug, exec): request → manager call → response. Bodies are validated again here:
// the socket is a trust boundary.
import type { ApiRouter } from '../server.js';
import { PeapodError } from '../../common/errors.js';
import { validateObjects } from '../../kube/validate.js';
import { checkDns1123Label, checkDns1123Subdomain } from '../../kube/names.js';
import type { Finding } from '../../kube/schema.js';
import { defaultManifestObject, type ManifestObject } from '../../kube/manifest-object.js';
import type { ObjectApplier } from '../../controllers/apply.js';
import { parseManifests } from '../../kube/load.js';
import type { ManifestSource } from '../../kube/manifest-sources.js';
import type { PodManager, PodView, ApplyResult } from '../../kubelet/manager.js';
import { podLinuxView, type PodLinuxView } from '../../kubelet/linux-view.js';
import type { PodEvent } from '../../kubelet/pod-record.js';
import type { DebugRequest, DebugResult, ExecPlan, ExecRequest } from '../../kubelet/pod-exec.js';
import type { PodLogRequest } from '../../kubelet/pod-logs.js';
import type { RuntimeService } from '../../runtime/service.js';

export type { PodView, ApplyResult } from '../../kubelet/manager.js';
export type { DebugRequest, DebugResult, ExecPlan, ExecRequest } from '../../kubelet/pod-exec.js';

/** An ephemeral container gets this long to pull and start. */
const DEBUG_START_TIMEOUT_MS = 120_000;

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

export function registerPodRoutes(router: ApiRouter, pods: PodManager, runtime: RuntimeService, applier: ObjectApplier): void {
  registerNameParams(router);
  registerApplyRoutes(router, pods, applier);
  registerReadRoutes(router, pods, runtime);
  registerDeleteRoutes(router, pods);
  registerContainerRoutes(router, pods);
}

function registerApplyRoutes(router: ApiRouter, pods: PodManager, applier: ObjectApplier): void {
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
}

function registerReadRoutes(router: ApiRouter, pods: PodManager, runtime: RuntimeService): void {
  router.json('GET', '/v1/pods', ({ query }) => {
    const all = query.get('all') === 'true';
    return Promise.resolve(pods.listAll(all ? undefined : (query.get('namespace') ?? 'default')));
  });

  router.json('GET', '/v1/namespaces/:namespace/pods/:name', ({ params }) =>
    Promise.resolve(pods.view(pods.get(params['namespace'] ?? 'default', params['name'] ?? ''))),
  );

  router.json('GET', '/v1/namespaces/:namespace/pods/:name/describe', async ({ params }): Promise<DescribeResult> => {
    const record = pods.get(params['namespace'] ?? 'default', params['name'] ?? '');
    return { view: pods.view(record), events: record.events, linux: await podLinuxView(record, runtime) };
  });

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
}

function registerDeleteRoutes(router: ApiRouter, pods: PodManager): void {
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
}

/** Logs, debug and exec: a container of the pod, reached through the pod manager. */
function registerContainerRoutes(router: ApiRouter, pods: PodManager): void {
  router.raw('GET', '/v1/namespaces/:namespace/pods/:name/log', async ({ params, query, signal }, _req, res) => {
    const record = pods.get(params['namespace'] ?? 'default', params['name'] ?? '');
    const container = query.get('container');
    const tail = query.get('tail');
    const request: PodLogRequest = {
      ...(container !== null ? { container } : {}),
      previous: query.get('previous') === 'true',
      follow: query.get('follow') === 'true',
      timestamps: query.get('timestamps') === 'true',
      ...(tail !== null ? { tail: Number(tail) } : {}),
    };
    const log = pods.openLog(record, request);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    await log.read((text) => res.write(text), signal);
    res.end();
  });

  router.json('POST', '/v1/namespaces/:namespace/pods/:name/debug', async ({ params, body }): Promise<DebugResult> => {
    const request = body as DebugRequest | undefined;
    if (!request || typeof request.image !== 'string' || request.image === '') throw new PeapodError('InvalidArgument', '--image: required');
    if (request.command !== undefined && !Array.isArray(request.command)) throw new PeapodError('InvalidArgument', 'command: expected an array of strings');
    if (request.name !== undefined && typeof request.name !== 'string') throw new PeapodError('InvalidArgument', 'name: expected a string');
    if (request.target !== undefined && typeof request.target !== 'string') throw new PeapodError('InvalidArgument', 'target: expected a string');
    const checked: DebugRequest = { ...request, interactive: request.interactive === true, tty: request.tty === true };
    return pods.debug(params['namespace'] ?? 'default', params['name'] ?? '', checked, DEBUG_START_TIMEOUT_MS);
  });

  router.json('POST', '/v1/namespaces/:namespace/pods/:name/exec', ({ params, body }): Promise<ExecPlan> =>
    Promise.resolve(pods.planExec(params['namespace'] ?? 'default', params['name'] ?? '', body as ExecRequest | undefined)),
  );
}

function isManifestSource(value: unknown): value is ManifestSource {
  if (typeof value !== 'object' || value === null) return false;
  const { file, text } = value as Record<string, unknown>;
  return typeof file === 'string' && typeof text === 'string';
}
