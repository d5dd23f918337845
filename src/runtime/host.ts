// Everything runtime/ needs from the host, passed in (never imported as globals) so that component
// tests can run with fakes and integration tests with the real thing.
import type { CgroupManager } from '../host/cgroups/types.js';
import type { NamespacePins } from '../host/namespace-pins.js';
import type { PodNetworkManager } from '../host/network/types.js';
import type { OciRuntime } from '../host/oci-runtime/types.js';
import type { ImageRecord, RootfsLayers } from '../image/types.js';

export interface MountOps {
  overlay(lowerDirs: readonly string[], upperDir: string, workDir: string, target: string): Promise<void>;
  /** Not mounted or absent = success. */
  unmount(target: string): Promise<void>;
  /** The mount a host path lives on, with its propagation (shared/slave/private); undefined when unknown. */
  mountOf(path: string): Promise<{ readonly target: string; readonly propagation: 'shared' | 'slave' | 'private' } | undefined>;
}

export interface ProcOps {
  /** The process start time (clock ticks since boot) guarding against PID reuse; undefined when gone. */
  startTime(pid: number): Promise<number | undefined>;
  /** Namespace inode numbers of a process by type (net, ipc, uts, pid, mnt, cgroup, user); empty when gone. */
  namespaces(pid: number | 'self'): Promise<Readonly<Record<string, number>>>;
}

export interface RootfsOps {
  /** A file of a container's rootfs as the container sees it (symlinks resolved inside the rootfs); undefined when absent. */
  readFile(root: string, path: string, maxBytes: number): Promise<string | undefined>;
}

export interface RuntimeHost {
  readonly cgroups: CgroupManager;
  readonly network: PodNetworkManager;
  /** The pod's IPC and UTS namespaces, pinned before its pause exists. */
  readonly pins: NamespacePins;
  readonly oci: OciRuntime;
  readonly mounts: MountOps;
  readonly proc: ProcOps;
  readonly rootfs: RootfsOps;
  readonly images: {
    /** The unpacked layers of an image the caller already resolved (no second lookup). */
    rootfsLayers(image: ImageRecord): Promise<RootfsLayers>;
    find(ref: string): Promise<ImageRecord | undefined>;
  };
  readonly now: () => Date;
}

export interface RuntimeDirs {
  readonly sandboxRecords: string;
  readonly containerRecords: string;
  /** Per-sandbox files (hosts, resolv.conf, hostname; the pause's bundle). */
  readonly sandboxes: string;
  /** The pauses' shared root filesystem: their mount points only, made once (runtime/sandbox/pause-rootfs.ts). */
  readonly pauseRootfs: string;
  /** Per-container dirs (bundle, overlay upper/work, merged rootfs). */
  readonly containers: string;
  readonly pausePath: string;
  /** Host files copied into pods when no DNS config is given. */
  readonly hostResolvConf: string;
  readonly hostHosts: string;
}
