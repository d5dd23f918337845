// A client of the OCI distribution API (GET /v2/<name>/manifests/<ref>, GET /v2/<name>/blobs/<digest>)
// on Node's fetch: https by default, plain http for insecure and loopback registries, the challenge
// flow of auth.ts on every 401, retries for 5xx and network errors, deadlines on headers and bodies.
import { PeapodError } from '../../common/errors.js';
import type { BlobSource } from '../content-store.js';
import { dataLoss } from '../content-store.js';
import { sha256Digest } from '../digest.js';
import { MANIFEST_ACCEPT } from '../media-types.js';
import { registryApiHost } from '../reference.js';
import type { Authorizer } from './auth.js';
import { mirrorsFor, type MirrorMap } from './mirrors.js';
import { fetchWithDeadline, idleGuarded, readSmallBody, responseError, withRetries, RETRY_ATTEMPTS } from './http.js';

export interface RegistryClientOptions {
  readonly authorizer: Authorizer;
  /** Registries (as named in references, or their API host) reached over plain http. */
  readonly insecureRegistries: readonly string[];
  /** Mirrors tried before each registry (mirrors.ts). */
  readonly mirrors?: MirrorMap;
  readonly userAgent?: string;
}

export interface FetchedManifest {
  readonly bytes: Buffer;
  readonly contentType: string | undefined;
  readonly digest: string;
}

export interface Repo {
  readonly registry: string;
  readonly repository: string;
}

const DEFAULT_USER_AGENT = 'peapod';

/** Loopback registries may always be plain http (docker's and containerd's rule for localhost). */
export function isLoopbackRegistry(registry: string): boolean {
  let host = registry;
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']'));
  else if (host.includes(':')) host = host.slice(0, host.lastIndexOf(':'));
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

interface RequestSpec {
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly what: string;
  readonly attempts?: number;
  readonly method?: 'GET' | 'HEAD';
}

export class RegistryClient {
  private readonly insecure: ReadonlySet<string>;
  private readonly userAgent: string;

  constructor(private readonly options: RegistryClientOptions) {
    this.insecure = new Set(options.insecureRegistries);
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  }

  baseUrl(registry: string): string {
    const host = registryApiHost(registry);
    const plain = isLoopbackRegistry(host) || this.insecure.has(registry) || this.insecure.has(host);
    return `${plain ? 'http' : 'https'}://${host}`;
  }

  /**
   * The request at each mirror of the registry in turn (one try each, as containerd tries its hosts),
   * then at the registry itself with the usual retries. A mirror's failure of any kind falls through;
   * the registry's own error is the one reported when all fail.
   */
  private async request(repo: Repo | undefined, spec: RequestSpec, signal?: AbortSignal): Promise<{ res: Response; abort: AbortController }> {
    const registry = repo?.registry ?? '';
    for (const mirror of mirrorsFor(this.options.mirrors ?? new Map(), registry)) {
      try {
        // Credentials are looked up under the mirror's own host: the registry's are never sent to a mirror.
        return await this.requestAt(mirror, new URL(mirror).host, repo, { ...spec, attempts: 1 }, signal);
      } catch (err) {
        if (signal?.aborted) throw err;
      }
    }
    return this.requestAt(this.baseUrl(registry), registry, repo, spec, signal);
  }

  /** A request with the challenge flow: one anonymous (or cached-auth) try, then one answering the 401. */
  private async requestAt(
    base: string,
    registry: string,
    repo: Repo | undefined,
    spec: RequestSpec,
    signal?: AbortSignal,
  ): Promise<{ res: Response; abort: AbortController }> {
    const scope = repo ? `repository:${repo.repository}:pull` : '';
    const url = `${base}${spec.path}`;
    return withRetries(
      async () => {
        for (let round = 0; round < 2; round++) {
          const headers: Record<string, string> = { 'user-agent': this.userAgent, ...spec.headers };
          const auth = await this.options.authorizer.header(registry, scope);
          if (auth !== undefined) headers['authorization'] = auth;
          const { res, abort } = await fetchWithDeadline(url, { method: spec.method ?? 'GET', headers }, signal);
          if (res.status === 401 && round === 0) {
            const challenge = res.headers.get('www-authenticate');
            abort.abort();
            if (auth?.startsWith('Bearer ')) this.options.authorizer.forget(registry, scope);
            if (await this.options.authorizer.answer(registry, challenge, scope, signal)) continue;
          }
          if (!res.ok) throw await responseError(res, abort, spec.what, registry);
          return { res, abort };
        }
        throw new PeapodError('Internal', `${spec.what}: authentication loop`);
      },
      signal,
      spec.attempts ?? RETRY_ATTEMPTS,
    );
  }

  /** GET /v2/ with the challenge flow: proves the registry answers and the credentials work (login). */
  async ping(registry: string, signal?: AbortSignal): Promise<void> {
    const { res, abort } = await this.request({ registry, repository: '' }, { path: '/v2/', what: `registry ${registry}` }, signal);
    await readSmallBody(res, abort, `registry ${registry} /v2/`).catch(() => undefined);
  }

  /** Fetches a manifest or index by tag or digest, and checks its digest. */
  async getManifest(repo: Repo, reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const what = `manifest ${repo.registry}/${repo.repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
    const { res, abort } = await this.request(
      repo,
      { path: `/v2/${repo.repository}/manifests/${reference}`, headers: { accept: MANIFEST_ACCEPT }, what },
      signal,
    );
    const bytes = await readSmallBody(res, abort, what);
    const digest = sha256Digest(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) throw dataLoss(what, reference, digest);
    const header = res.headers.get('docker-content-digest');
    if (!reference.startsWith('sha256:') && header?.startsWith('sha256:') && header !== digest) throw dataLoss(what, header, digest);
    return { bytes, contentType: res.headers.get('content-type') ?? undefined, digest };
  }

  /** Reads a small blob (an image config) whole. */
  async getSmallBlob(repo: Repo, digest: string, signal?: AbortSignal): Promise<Buffer> {
    const what = `blob ${repo.registry}/${repo.repository}@${digest}`;
    const { res, abort } = await this.request(repo, { path: `/v2/${repo.repository}/blobs/${digest}`, what }, signal);
    return readSmallBody(res, abort, what);
  }

  /**
   * A resumable source of a (large) blob for the content store. Retries belong to the caller, which
   * resumes from what it kept, so a single attempt here.
   */
  blobSource(repo: Repo, digest: string): BlobSource {
    const what = `blob ${repo.registry}/${repo.repository}@${digest}`;
    return {
      open: async (offset, signal) => {
        const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
        const { res, abort } = await this.request(repo, { path: `/v2/${repo.repository}/blobs/${digest}`, headers, what, attempts: 1 }, signal);
        const range = res.headers.get('content-range');
        const resumed = res.status === 206 && range !== null && range.startsWith(`bytes ${offset}-`);
        if (res.status === 206 && !resumed) abort.abort();
        if (res.status === 206 && !resumed) return this.blobSource(repo, digest).open(0, signal);
        return { body: idleGuarded(res, abort, what), offset: resumed ? offset : 0 };
      },
    };
  }
}
