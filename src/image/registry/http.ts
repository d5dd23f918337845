// HTTP plumbing for the registry client: deadlines on every request and body, retries with backoff for
// what can pass (5xx, network errors), never for client errors, and registry errors mapped to PeapodErrors.
import { PeapodError, errorMessage, type ErrorCode } from '../../common/errors.js';

/** Attempts for a request that fails with a 5xx or a network error (containerd's and docker's pullers retry 3-5 times). */
export const RETRY_ATTEMPTS = 3;
/** Backoff before attempt n (n ≥ 1) is RETRY_BASE_MS · 2^(n-1): 200 ms, 400 ms. */
export const RETRY_BASE_MS = 200;
/** From sending a request to its response headers. */
export const HEADERS_TIMEOUT_MS = 30_000;
/** A whole small body (manifest, config, token). */
export const SMALL_BODY_TIMEOUT_MS = 60_000;
/** A blob body may take long, but not stall: no byte for this long aborts it. */
export const BODY_IDLE_TIMEOUT_MS = 60_000;
/** Manifests and tokens larger than this are refused (containerd limits manifests to 4 MiB). */
export const MAX_SMALL_BODY_BYTES = 4 * 1024 * 1024;

/** An error worth another attempt. */
export class RetryableError extends PeapodError {
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super('Unavailable', message, options);
  }
}

export function isRetryable(err: unknown): boolean {
  if (err instanceof RetryableError) return true;
  if (err instanceof PeapodError) return false;
  if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) return false;
  // undici reports connection refused/reset and bodies cut short as TypeError("fetch failed"/"terminated").
  return err instanceof TypeError || (err instanceof Error && 'code' in err);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs fn up to RETRY_ATTEMPTS times while it fails with a retryable error; aborting stops at once. */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, signal?: AbortSignal, attempts = RETRY_ATTEMPTS): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(RETRY_BASE_MS * 2 ** (attempt - 1), signal);
    signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      lastError = err;
      if (signal?.aborted || !isRetryable(err)) throw err;
    }
  }
  if (!(lastError instanceof Error) || attempts === 1) throw lastError;
  const plainNetwork = !(lastError instanceof PeapodError);
  // Not a RetryableError: an enclosing retry loop must not multiply the attempts.
  throw new PeapodError('Unavailable', `${describe(lastError)} (after ${attempts} attempts)`, {
    cause: lastError,
    ...(plainNetwork ? { hint: 'check that the registry is reachable; a registry serving plain http needs --insecure-registry HOST[:PORT]' } : {}),
  });
}

/** undici's "fetch failed" says nothing by itself: the reason (ECONNREFUSED, TLS, DNS) is in its cause. */
export function describe(err: unknown): string {
  const message = errorMessage(err);
  const cause = err instanceof Error ? err.cause : undefined;
  return cause instanceof Error && !message.includes(cause.message) ? `${message}: ${cause.message}` : message;
}

/** Sends a request with a deadline for its headers; the returned signal stays usable to abort the body. */
export async function fetchWithDeadline(url: string, init: RequestInit, signal?: AbortSignal): Promise<{ res: Response; abort: AbortController }> {
  const abort = new AbortController();
  const signals = [abort.signal, ...(signal ? [signal] : [])];
  const timer = setTimeout(
    () => abort.abort(new PeapodError('DeadlineExceeded', `${init.method ?? 'GET'} ${url}: no response within ${HEADERS_TIMEOUT_MS} ms`)),
    HEADERS_TIMEOUT_MS,
  );
  try {
    const res = await fetch(url, { ...init, redirect: 'follow', signal: AbortSignal.any(signals) });
    return { res, abort };
  } catch (err) {
    if (abort.signal.aborted && abort.signal.reason instanceof PeapodError) throw new RetryableError(abort.signal.reason.message, { cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a small body whole, within SMALL_BODY_TIMEOUT_MS and MAX_SMALL_BODY_BYTES. */
export async function readSmallBody(res: Response, abort: AbortController, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_SMALL_BODY_BYTES) {
    abort.abort();
    throw new PeapodError('ResourceExhausted', `${what}: ${declared} bytes is more than the ${MAX_SMALL_BODY_BYTES} allowed`);
  }
  const timer = setTimeout(() => abort.abort(), SMALL_BODY_TIMEOUT_MS);
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > MAX_SMALL_BODY_BYTES) {
        abort.abort();
        throw new PeapodError('ResourceExhausted', `${what}: more than the ${MAX_SMALL_BODY_BYTES} bytes allowed`);
      }
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  } catch (err) {
    if (abort.signal.aborted && !(err instanceof PeapodError))
      throw new RetryableError(`${what}: body not received within ${SMALL_BODY_TIMEOUT_MS} ms`, { cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Wraps a blob body so that a stall of BODY_IDLE_TIMEOUT_MS aborts it as a retryable error. */
export async function* idleGuarded(res: Response, abort: AbortController, what: string, idleMs = BODY_IDLE_TIMEOUT_MS): AsyncGenerator<Uint8Array> {
  let stalled = false;
  let timer = setTimeout(onIdle, idleMs);
  function onIdle(): void {
    stalled = true;
    abort.abort();
  }
  try {
    for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
      clearTimeout(timer);
      timer = setTimeout(onIdle, idleMs);
      yield chunk;
    }
  } catch (err) {
    if (stalled) throw new RetryableError(`${what}: no data for ${idleMs} ms`, { cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
    // A consumer that stops early (size limit, its own abort) must not leave the connection open;
    // after a complete body this is a no-op.
    abort.abort();
  }
}

interface RegistryErrorBody {
  readonly errors?: readonly { readonly code?: string; readonly message?: string; readonly detail?: unknown }[];
}

/** The registry's own explanation ({"errors":[{code,message}]}), if it sent one. */
export async function registryErrorText(res: Response, abort: AbortController): Promise<string> {
  try {
    const body = await readSmallBody(res, abort, 'error body');
    const parsed = JSON.parse(body.toString('utf8')) as RegistryErrorBody;
    const first = parsed.errors?.[0];
    if (first) return [first.code, first.message].filter((x) => x).join(': ');
    return '';
  } catch {
    return '';
  }
}

/** Maps a failed response to a PeapodError; 5xx become retryable. */
export async function responseError(res: Response, abort: AbortController, what: string, loginHost: string): Promise<PeapodError> {
  const detail = await registryErrorText(res, abort);
  const suffix = detail ? ` (${detail})` : '';
  const status = res.status;
  if (status >= 500) return new RetryableError(`${what}: registry answered HTTP ${status}${suffix}`);
  const loginHint = `if the image is private, log in first: peapod login ${loginHost}`;
  const byStatus: Record<number, [ErrorCode, string, string | undefined]> = {
    401: ['Unauthenticated', `${what}: authentication required${suffix}`, loginHint],
    403: ['PermissionDenied', `${what}: access denied${suffix}`, `check the credentials of peapod login ${loginHost}`],
    404: ['NotFound', `${what}: not found${suffix}`, 'check the name and tag, or whether the image is private'],
    429: ['ResourceExhausted', `${what}: too many requests (HTTP 429)${suffix}`, 'the registry rate-limits pulls; wait or log in'],
  };
  const mapped = byStatus[status] ?? ['Internal', `${what}: registry answered HTTP ${status}${suffix}`, undefined];
  return new PeapodError(mapped[0], mapped[1], mapped[2] === undefined ? {} : { hint: mapped[2] });
}
