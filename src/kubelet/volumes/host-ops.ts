// What volume setup needs from the host, passed in for tests.
export interface VolumeHostOps {
  mountTmpfs(target: string, options: { sizeBytes?: number; mode?: number }): Promise<void>;
  unmount(target: string): Promise<void>;
  /** True when something is mounted exactly at target (a restarted daemon must not mount twice). */
  isMountPoint(target: string): Promise<boolean>;
  /** Bind mount of `source` taken literally (no canonicalization: a /proc/<pid>/fd/<n> path stays that fd). */
  bindExact(source: string, target: string): Promise<void>;
  /** Targets of the mounts at or below `prefix`. */
  mountsUnder(prefix: string): Promise<string[]>;
}
