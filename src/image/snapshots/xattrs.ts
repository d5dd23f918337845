// Extended attributes carried in PAX records: `SCHILY.xattr.<name>` (GNU tar, Go's archive/tar, so
// docker/buildkit layers) and `LIBARCHIVE.xattr.<name>` (bsdtar; the name URL-encoded, the value base64).
import type { Header } from 'tar-stream';
import type { XattrEntry } from '../../host/layer-fs.js';

export interface Meta {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: Date;
}

const SCHILY_PREFIX = 'SCHILY.xattr.';
const LIBARCHIVE_PREFIX = 'LIBARCHIVE.xattr.';
/** Namespaces the kernel knows (xattr(7)); anything else would be refused by setxattr anyway. */
const KNOWN_NAMESPACES = ['security.', 'system.', 'user.', 'trusted.'];

/**
 * The xattrs a header asks for. `trusted.*` is dropped with a warning: overlayfs keeps its own objects
 * there (trusted.overlay.opaque, .redirect, .origin), and a layer must not forge them; the writer alone
 * sets trusted.overlay.opaque, from whiteouts.
 */
export function xattrsOfHeader(header: Header, path: string, warn: (message: string) => void): XattrEntry[] {
  const pax = header.pax;
  if (typeof pax !== 'object' || pax === null) return [];
  const out: XattrEntry[] = [];
  for (const [key, raw] of Object.entries(pax as Record<string, unknown>)) {
    if (typeof raw !== 'string') continue;
    let name: string;
    let value: Buffer;
    if (key.startsWith(SCHILY_PREFIX)) {
      name = key.slice(SCHILY_PREFIX.length);
      // tar-stream decodes PAX values as UTF-8; bytes that were not valid UTF-8 are lost (U+FFFD).
      if (raw.includes('\uFFFD')) {
        warn(`xattr ${name} skipped: its binary value cannot be recovered from the PAX record`);
        continue;
      }
      value = Buffer.from(raw, 'utf8');
    } else if (key.startsWith(LIBARCHIVE_PREFIX)) {
      try {
        name = decodeURIComponent(key.slice(LIBARCHIVE_PREFIX.length));
      } catch {
        warn(`xattr record "${key}" skipped: malformed name`);
        continue;
      }
      value = Buffer.from(raw, 'base64');
    } else continue;
    if (!KNOWN_NAMESPACES.some((ns) => name.startsWith(ns)) || name.includes('\0') || name.includes('\n')) {
      warn(`xattr "${name}" skipped: not in a known namespace`);
    } else if (name.startsWith('trusted.')) {
      warn(`xattr ${name} skipped: the trusted namespace is reserved for overlayfs objects`);
    } else out.push({ path, name, value });
  }
  return out;
}
