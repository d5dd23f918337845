// Names of a container log's rotated files: "<log>.<YYYYMMDD-HHMMSS.mmm>" and, compressed, "….gz".
// Fixed-width stamps sort by name in rotation order, which both the rotator and a follower rely on.
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { compareStrings } from '../../common/compare.js';

const STAMP = /^\d{8}-\d{6}\.\d{3}$/;

export interface RotatedFile {
  readonly path: string;
  readonly stamp: string;
  readonly compressed: boolean;
}

export function rotationStamp(at: Date): string {
  const iso = at.toISOString(); // 2026-12-07T05:41:23.456Z
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}.${iso.slice(20, 23)}`;
}

/** The rotated files of `logPath`, oldest first; a compressed and an uncompressed copy both appear. */
export async function listRotated(logPath: string): Promise<RotatedFile[]> {
  const dir = dirname(logPath);
  const prefix = `${basename(logPath)}.`;
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: RotatedFile[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length);
    const compressed = rest.endsWith('.gz');
    const stamp = compressed ? rest.slice(0, -3) : rest;
    if (STAMP.test(stamp)) out.push({ path: join(dir, name), stamp, compressed });
  }
  return out.sort((a, b) => compareStrings(a.stamp, b.stamp) || Number(a.compressed) - Number(b.compressed));
}

/** Removes a container's log and its rotated files (the kubelet's removeContainerLog); gone is fine. */
export async function removeLogFiles(logPath: string): Promise<void> {
  for (const file of await listRotated(logPath)) await rm(file.path, { force: true });
  await rm(logPath, { force: true });
}
