// ImageFsInfo: bytes and inodes used by the image store (blobs and unpacked layers), walked with a
// bound on entries and cached briefly, since the kubelet asks every few seconds.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CriContext } from './context.js';
import { nowNanos } from './convert.js';
import type { FilesystemUsage } from './types.js';

/** The kubelet's housekeeping period is 10 s; a fresh walk more often than this is wasted work. */
export const IMAGE_FS_CACHE_MS = 5_000;
/** Bound of the walk: a store beyond this many entries is reported as far as counted. */
export const IMAGE_FS_MAX_ENTRIES = 2_000_000;

interface Usage {
  bytes: number;
  inodes: number;
}

async function walk(dir: string, usage: Usage): Promise<void> {
  const pending = [dir];
  while (pending.length > 0 && usage.inodes < IMAGE_FS_MAX_ENTRIES) {
    const current = pending.pop() ?? dir;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const full = join(current, e.name);
      const st = await lstat(full).catch(() => undefined);
      if (!st) continue;
      usage.inodes++;
      usage.bytes += st.blocks * 512;
      if (e.isDirectory()) pending.push(full);
    }
  }
}

let cache: { at: number; key: string; value: FilesystemUsage[] } | undefined;

export async function imageFsInfo(ctx: CriContext): Promise<object> {
  const dirs = ctx.settings.imageFsDirs;
  const key = dirs.join('\n');
  const now = Date.now();
  if (!cache || cache.key !== key || now - cache.at > IMAGE_FS_CACHE_MS) {
    const value: FilesystemUsage[] = [];
    for (const dir of dirs) {
      const usage: Usage = { bytes: 0, inodes: 0 };
      await walk(dir, usage);
      value.push({
        timestamp: nowNanos(),
        fs_id: { mountpoint: dir },
        used_bytes: { value: String(usage.bytes) },
        inodes_used: { value: String(usage.inodes) },
      });
    }
    cache = { at: now, key, value };
  }
  return { image_filesystems: cache.value, container_filesystems: [] };
}
