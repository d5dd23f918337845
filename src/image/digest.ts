// Content digests: only sha256 (the one algorithm every registry and the OCI spec require), always as
// "sha256:<64 lower-case hex>", because digests become file names in the content store.
import { createHash } from 'node:crypto';
import { invalid } from '../common/errors.js';

const DIGEST_RE = /^sha256:([a-f0-9]{64})$/;

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

/** The hex part of a digest; throws InvalidArgument for anything but sha256:<64 hex>. */
export function digestHex(digest: string, what = 'digest'): string {
  const m = DIGEST_RE.exec(digest);
  if (!m?.[1]) throw invalid(`invalid ${what} "${digest}": expected sha256:<64 lower-case hex digits>`);
  return m[1];
}

export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
