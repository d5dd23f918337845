// Finding a local image the way docker's image store does: a name first (normalised), then a repo
// digest, then an ID or an ID prefix of at least 4 hex digits, which must be unambiguous.
import { PeapodError } from '../common/errors.js';
import { isDigest } from './digest.js';
import { isReference, parseReference, repositoryName, storedName } from './reference.js';
import type { NameIndex } from './records.js';
import type { ImageRecord } from './types.js';

/** docker accepts ID prefixes from 1 digit; 4 keeps short words like "app" names, never IDs. */
export const MIN_ID_PREFIX = 4;
const ID_PREFIX_RE = /^(?:sha256:)?([a-f0-9]{4,64})$/;

export type Match =
  { readonly record: ImageRecord; readonly by: 'name'; readonly name: string } | { readonly record: ImageRecord; readonly by: 'id' | 'digest' };

function byName(records: readonly ImageRecord[], index: NameIndex, ref: string): Match | undefined {
  if (!isReference(ref)) return undefined;
  const parsed = parseReference(ref);
  if (parsed.digest !== undefined) {
    const repoDigest = `${repositoryName(parsed)}@${parsed.digest}`;
    const record = records.find((r) => r.repoDigests.includes(repoDigest) || r.names.includes(repoDigest));
    if (record) return { record, by: 'digest' };
    // A tag and a digest together: the digest decides (docker pulls by digest then).
    return undefined;
  }
  const name = storedName(parsed);
  const id = index[name];
  const record = id === undefined ? undefined : records.find((r) => r.id === id);
  return record ? { record, by: 'name', name } : undefined;
}

/** A plain boolean, not a type guard: ref stays a string in both branches. */
const isExactId = (ref: string): boolean => isDigest(ref);

function byId(records: readonly ImageRecord[], ref: string): Match | undefined {
  if (isExactId(ref)) {
    const record = records.find((r) => r.id === ref);
    return record ? { record, by: 'id' } : undefined;
  }
  const m = ID_PREFIX_RE.exec(ref);
  if (!m?.[1]) return undefined;
  const prefix = `sha256:${m[1]}`;
  const hits = records.filter((r) => r.id.startsWith(prefix));
  if (hits.length > 1) {
    throw new PeapodError('InvalidArgument', `image ID prefix "${ref}" is ambiguous: it matches ${hits.length} images`, {
      hint: 'give more digits of the ID',
    });
  }
  return hits[0] ? { record: hits[0], by: 'id' } : undefined;
}

export function findImage(records: readonly ImageRecord[], index: NameIndex, ref: string): Match | undefined {
  return byName(records, index, ref) ?? byId(records, ref);
}

/** Every blob an image needs kept: config, layers, its manifest and the index it was pulled through. */
export function blobsOf(record: ImageRecord): string[] {
  const out = [record.id, record.manifestDigest, ...record.layers.map((l) => l.digest)];
  for (const rd of record.repoDigests) {
    const digest = rd.slice(rd.lastIndexOf('@') + 1);
    if (isDigest(digest)) out.push(digest);
  }
  return out;
}
