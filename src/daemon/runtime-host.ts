// Builds the real host for runtime/: cgroupfs, CNI, runc+conmon, mount(8), /proc.
import type { PeapodConfig } from '../common/config.js';
import { paths } from '../common/config.js';
import { createCgroupManager } from '../host/cgroups/index.js';
import { createPodNetworkManager } from '../host/network/manager.js';
import { createNamespacePins } from '../host/namespace-pins.js';
import { createOciRuntime } from '../host/oci-runtime/runtime.js';
import { mountOf, mountOverlay, unmount } from '../host/mount.js';
import { namespaceInodes, processStartTime } from '../host/proc.js';
import { readFileInRoot } from '../host/rootfs-read.js';
import type { ImageService } from '../image/types.js';
import type { MountOps, RuntimeDirs, RuntimeHost } from '../runtime/host.js';
import { traced } from './trace.js';
import { withFaultPoints } from '../common/fault.js';

export async function createRuntimeHost(config: PeapodConfig, images: ImageService, log: (message: string) => void): Promise<RuntimeHost> {
  const p = paths(config);
  const cgroups = await createCgroupManager();
  // Fault points (tests only, see common/fault.ts) sit around every call that changes the host.
  const host: RuntimeHost = {
    cgroups: withFaultPoints(cgroups, 'cgroups', ['create', 'update', 'remove']),
    network: withFaultPoints(createPodNetworkManager(config), 'network', ['createNetns', 'removeNetns', 'setUp', 'tearDown']),
    pins: withFaultPoints(createNamespacePins({ ipc: p.ipcns, uts: p.utsns, shm: p.shm }), 'pins', ['create', 'remove']),
    oci: withFaultPoints(
      createOciRuntime({
        runtimePath: config.runtimePath,
        conmonPath: config.conmonPath,
        runcRoot: p.runcRoot,
        stateDir: p.conmon,
        exitDir: p.exits,
      }),
      'oci',
      ['run', 'create', 'start', 'kill', 'stop', 'remove'],
    ),
    mounts: withFaultPoints<MountOps>(
      {
        overlay: (lowerDirs, upperDir, workDir, target) => mountOverlay(lowerDirs, upperDir, workDir, target),
        unmount: (target) => unmount(target),
        mountOf: (path) => mountOf(path).catch(() => undefined),
      },
      'mounts',
      ['overlay', 'unmount'],
    ),
    proc: {
      startTime: (pid) => processStartTime(pid),
      namespaces: (pid) => namespaceInodes(pid).catch(() => ({})),
    },
    rootfs: { readFile: (root, path, maxBytes) => readFileInRoot(root, path, maxBytes) },
    images: {
      rootfsLayers: (image) => images.rootfsLayers(image),
      find: (ref) => images.find(ref),
    },
    now: () => new Date(),
  };
  if (process.env['PEAPOD_TRACE'] !== '1') return host;
  return {
    ...host,
    cgroups: traced(host.cgroups, 'cgroups', log),
    network: traced(host.network, 'network', log),
    pins: traced(host.pins, 'pins', log),
    oci: traced(host.oci, 'oci', log),
    mounts: traced(host.mounts, 'mounts', log),
    images: traced(host.images, 'images', log),
  };
}

export function runtimeDirs(config: PeapodConfig, pausePath: string): RuntimeDirs {
  const p = paths(config);
  return {
    sandboxRecords: p.sandboxRecords,
    containerRecords: p.containerRecords,
    sandboxes: p.sandboxes,
    pauseRootfs: p.pauseRootfs,
    containers: p.containers,
    pausePath,
    hostResolvConf: '/etc/resolv.conf',
    hostHosts: '/etc/hosts',
  };
}
