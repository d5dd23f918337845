// Lexical checks on tar entry names and link targets, before anything touches the disk. The rules are
// containerd's archive/tar.go (no entry may resolve outside the layer root) made stricter where peapod
// refuses instead of rewriting: absolute names and absolute hard-link targets are errors, not re-rooted.
import { posix } from 'node:path';
import { invalid } from '../../common/errors.js';
import type { PeapodError } from '../../common/errors.js';

/** OCI image-spec layer.md: a whiteout is `.wh.<name>`, the opaque marker `.wh..wh..opq`. */
export const WHITEOUT_PREFIX = '.wh.';
export const WHITEOUT_META_PREFIX = '.wh..wh.';
export const WHITEOUT_OPAQUE = '.wh..wh..opq';

export function refuseEntry(name: string, reason: string, hint?: string): PeapodError {
  return invalid(
    `tar entry "${printable(name)}": ${reason}`,
    hint === undefined ? { hint: 'the layer is malformed or hostile; nothing of it was kept' } : { hint },
  );
}

/** Names in error messages: control characters (NUL, newlines) made visible. */
export function printable(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * The entry's path relative to the layer root ("." for the root itself), or an InvalidArgument error:
 * NUL bytes, absolute names and names whose `..` climbs above the root are refused; `./a/../b` is `b`.
 */
export function normalizeEntryName(name: string): string {
  if (name === '') throw refuseEntry(name, 'empty name');
  if (name.includes('\0')) throw refuseEntry(name, 'name contains a NUL byte');
  if (name.startsWith('/')) throw refuseEntry(name, 'absolute path; layer entries must be relative to the layer root');
  const normal = posix.normalize(name).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../')) throw refuseEntry(name, 'path escapes the layer root through ".."');
  return normal === '' ? '.' : normal;
}

/** A hard link's target as a root-relative path; it must name something inside the layer. */
export function normalizeHardLinkTarget(name: string, target: string): string {
  if (target === '' || target.includes('\0')) throw refuseEntry(name, 'hard link with an empty or NUL-containing target');
  if (target.startsWith('/')) throw refuseEntry(name, `hard link target "${printable(target)}" is absolute (outside the layer)`);
  const normal = posix.normalize(target).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../') || normal === '.' || normal === '') {
    throw refuseEntry(name, `hard link target "${printable(target)}" escapes the layer root`);
  }
  return normal;
}

/**
 * A symlink's target may be absolute (resolved inside the container's root at run time), but a
 * relative one must not climb above the layer root from the link's own directory.
 */
export function checkSymlinkTarget(name: string, rel: string, target: string): void {
  if (target === '' || target.includes('\0')) throw refuseEntry(name, 'symlink with an empty or NUL-containing target');
  if (target.startsWith('/')) return;
  const resolved = posix.normalize(posix.join(posix.dirname(rel), target));
  if (resolved === '..' || resolved.startsWith('../')) {
    throw refuseEntry(name, `relative symlink target "${printable(target)}" escapes the layer root`);
  }
}

export type WhiteoutKind = { readonly kind: 'opaque'; readonly dir: string } | { readonly kind: 'file'; readonly path: string } | { readonly kind: 'meta' };

/** What a whiteout entry means, or undefined for an ordinary entry. `rel` is already normalised. */
export function parseWhiteout(name: string, rel: string): WhiteoutKind | undefined {
  const base = posix.basename(rel);
  if (!base.startsWith(WHITEOUT_PREFIX)) return undefined;
  const dir = posix.dirname(rel);
  if (base === WHITEOUT_OPAQUE) return { kind: 'opaque', dir };
  // Other .wh..wh.* names are AUFS bookkeeping (.wh..wh.plnk); containerd skips them too.
  if (base.startsWith(WHITEOUT_META_PREFIX)) return { kind: 'meta' };
  const hidden = base.slice(WHITEOUT_PREFIX.length);
  if (hidden === '' || hidden === '.' || hidden === '..') throw refuseEntry(name, `whiteout of "${hidden}" names no file`);
  return { kind: 'file', path: dir === '.' ? hidden : `${dir}/${hidden}` };
}

/** The ancestors of a root-relative path, outermost first, without "." and without the path itself. */
export function ancestors(rel: string): string[] {
  const parts = rel.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

/** True when `path` is `dir` or below it. */
export function isWithin(path: string, dir: string): boolean {
  return dir === '.' || path === dir || path.startsWith(`${dir}/`);
}
