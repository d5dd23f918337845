// The local API's image routes: thin translation between HTTP/JSON and the ImageService.
import type { ApiRouter, RequestContext } from '../server.js';
import { invalid, notFound } from '../../common/errors.js';
import type { ImageRecord, ImageService, PullOptions, PullProgress } from '../../image/types.js';

export interface PullRequest {
  readonly ref: string;
  /** Registries the client allows over plain http for this pull (its --insecure-registry flags). */
  readonly insecureRegistries?: readonly string[];
  readonly auth?: PullOptions['auth'];
}

export interface LoadRequest {
  readonly path: string;
}

export interface PruneRequest {
  readonly all?: boolean;
}

export interface RemoveResult {
  readonly untagged: string[];
  readonly deleted: string[];
}

export interface PruneResult {
  readonly deleted: string[];
  readonly reclaimedBytes: number;
}

export type PullEvent = PullProgress;

function bodyObject(ctx: RequestContext): Record<string, unknown> {
  const body = ctx.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('request body must be a JSON object');
  return body as Record<string, unknown>;
}

function requiredString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(`${field} is required and must be a non-empty string`);
  return value;
}

function stringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw invalid(`${field} must be an array of strings`);
  return value;
}

function pullOptions(body: Record<string, unknown>, ctx: RequestContext, emit: (event: unknown) => void): PullOptions {
  const insecure = stringList(body['insecureRegistries'], 'insecureRegistries');
  const auth = body['auth'];
  if (auth !== undefined && (typeof auth !== 'object' || auth === null)) throw invalid('auth must be an object');
  return {
    signal: ctx.signal,
    onProgress: (event: PullProgress) => emit(event),
    ...(insecure ? { insecureRegistries: insecure } : {}),
    ...(auth ? { auth: auth } : {}),
  };
}

export function registerImageRoutes(router: ApiRouter, images: ImageService): void {
  router.stream('POST', '/v1/images/pull', async (ctx, emit): Promise<ImageRecord> => {
    const body = bodyObject(ctx);
    return images.pull(requiredString(body['ref'], 'ref'), pullOptions(body, ctx, emit));
  });

  router.json('GET', '/v1/images', (): Promise<ImageRecord[]> => images.list());

  router.json('GET', '/v1/images/inspect', async (ctx): Promise<ImageRecord> => {
    const ref = requiredString(ctx.query.get('ref') ?? undefined, 'ref');
    const found = await images.find(ref);
    if (!found) throw notFound(`image "${ref}" not found`, { hint: 'list local images with: peapod images' });
    return found;
  });

  router.json('DELETE', '/v1/images', (ctx): Promise<RemoveResult> => {
    const ref = requiredString(ctx.query.get('ref') ?? undefined, 'ref');
    const force = ctx.query.get('force');
    return images.remove(ref, { force: force === 'true' || force === '1' });
  });

  router.stream('POST', '/v1/images/load', async (ctx, emit): Promise<ImageRecord[]> => {
    const body = bodyObject(ctx);
    return images.load(requiredString(body['path'], 'path'), { signal: ctx.signal, onProgress: (event: PullProgress) => emit(event) });
  });

  router.json('POST', '/v1/images/prune', (ctx): Promise<PruneResult> => {
    const body = bodyObject(ctx);
    return images.prune({ all: body['all'] === true });
  });
}
