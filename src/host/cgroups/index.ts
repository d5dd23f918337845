// Picks the cgroup manager for the host: the unified (v2) hierarchy is mounted at the root itself and
// has cgroup.controllers there; a v1 or hybrid host has one directory per controller instead.
import { access } from '../../common/quick-fs.js';
import { join } from 'node:path';
import type { CgroupManager } from './types.js';
import { CgroupV1Manager } from './v1.js';
import { CgroupV2Manager } from './v2.js';
import type { CgroupFsOptions } from './fs.js';

export const DEFAULT_CGROUP_FS_ROOT = '/sys/fs/cgroup';

export async function detectCgroupVersion(fsRoot: string = DEFAULT_CGROUP_FS_ROOT): Promise<'v1' | 'v2'> {
  try {
    await access(join(fsRoot, 'cgroup.controllers'));
    return 'v2';
  } catch {
    return 'v1';
  }
}

export async function createCgroupManager(fsRoot: string = DEFAULT_CGROUP_FS_ROOT, options: CgroupFsOptions = {}): Promise<CgroupManager> {
  return (await detectCgroupVersion(fsRoot)) === 'v2' ? new CgroupV2Manager(fsRoot, options) : new CgroupV1Manager(fsRoot, options);
}
