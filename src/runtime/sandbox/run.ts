// RunPodSandbox as named steps: pod cgroup, netns pin and IPC/UTS pins (side by side) → CNI ADD beside the
// pause container (and the containers made beside it, runtime.ts) → hosts files.
// The record lists each step whose side effect exists, written before the next step starts, so a crash
// anywhere leaves a record that reconcile can finish or undo. On failure the CleanupStack undoes in reverse.
import { mkdir, writeFile } from 'node:fs/promises';
import { readFile } from '../../common/quick-fs.js';
import { join } from 'node:path';
import { CleanupStack } from '../../common/cleanup.js';
import { buildSandboxSpec } from '../../oci/spec.js';
import type { NamespaceMode } from '../../oci/types.js';
import type { RecordStore } from '../../store/record-store.js';
import { writeJsonAtomic } from '../../store/atomic.js';
import type { RuntimeDirs, RuntimeHost } from '../host.js';
import type { SandboxConfig, SandboxRecord, SandboxStep } from '../types.js';
import { childCgroupPath } from '../paths.js';
import { loadSeccomp, resolveSandboxConfig } from '../translate.js';
import { hostsFileContent, resolvConfContent, SANDBOX_FILES } from './files.js';
import { tearDownSandbox } from './teardown.js';
import { ensurePauseRootfs } from './pause-rootfs.js';

/** What a sandbox on the host's IPC records as its /dev/shm (never removed: teardown computes the pod's own path). */
const HOST_SHM = '/dev/shm';

export interface SandboxDeps {
  readonly host: RuntimeHost;
  readonly dirs: RuntimeDirs;
  readonly records: RecordStore<SandboxRecord>;
}

const withStep = (record: SandboxRecord, step: SandboxStep, extra: Partial<SandboxRecord> = {}): SandboxRecord => ({
  ...record,
  ...extra,
  done: [...record.done, step],
  stepsDoneAt: { ...record.stepsDoneAt, [step]: new Date().toISOString() },
});

/** `beforeUndo`: what must go before the sandbox's undo (the containers made beside it, whose processes sit in its cgroup). */
export async function runPodSandbox(
  deps: SandboxDeps,
  id: string,
  request: SandboxConfig,
  beforeUndo: () => Promise<void> = () => Promise.resolve(),
): Promise<SandboxRecord> {
  const { host, dirs, records } = deps;
  const config = resolveSandboxConfig(request);
  const dir = join(dirs.sandboxes, id);
  let record: SandboxRecord = { schema: 1, id, config, state: 'creating', createdAt: host.now().toISOString(), done: [], dir };
  await records.put(record);
  return CleanupStack.run(async (cleanup) => {
    // One undo for everything: teardown reads the record's `done` list, so it also serves reconcile.
    cleanup.push(`tear down sandbox ${id}`, async () => {
      await beforeUndo();
      const latest = records.get(id) ?? record;
      await tearDownSandbox(deps, latest);
      await records.delete(id);
    });

    // The pod cgroup, the sandbox dir and the namespace pins need nothing of each other: side by side,
    // all settled before any failure is handled. They are noted with the next write: teardown removes
    // the pod cgroup and the pins whether or not the record lists them.
    const [made, pinnedNet, pinnedOthers] = await Promise.allSettled([
      mkdir(dir, { recursive: true, mode: 0o711 })
        .then(() => createBindTargets(dir))
        .then(() => host.cgroups.create(config.cgroupParent, config.podResources)),
      config.network === 'pod' ? host.network.createNetns(id) : Promise.resolve(undefined),
      // UTS follows the network: a pod on the node's network has the node's hostname.
      host.pins.create(id, { ipc: config.ipc !== 'node', hostname: config.network === 'pod' ? config.hostname : undefined }),
    ]);
    for (const s of [made, pinnedNet, pinnedOthers]) if (s.status === 'rejected') throw s.reason;
    const pins = pinnedOthers.status === 'fulfilled' ? pinnedOthers.value : {};
    const netnsPath = pinnedNet.status === 'fulfilled' ? pinnedNet.value : undefined;
    // Recorded before ADD: ADD can allocate an IP and then fail, and DEL must still run. One write for the
    // steps so far, which also tells the containers made beside the pause (runtime.ts) what to join.
    record = withStep(record, 'cgroup', config.ipc === 'node' ? { ...pins, shmPath: HOST_SHM } : pins);
    if (netnsPath !== undefined) record = withStep(withStep(record, 'netns', { netnsPath }), 'network');
    record = await records.put(record);
    const netns: NamespaceMode = netnsPath === undefined ? { mode: 'host' } : { mode: 'pod', path: netnsPath };
    // CNI ADD and the pause container need only the netns: run them side by side (the pod start's
    // critical path is runc's), and wait for both before undoing anything, so no undo races a live step.
    const sandboxRecord = record;
    const [network, pause] = await Promise.allSettled([
      sandboxRecord.netnsPath === undefined
        ? Promise.resolve(undefined)
        : host.network.setUp({
            sandboxId: id,
            netnsPath: sandboxRecord.netnsPath,
            podName: config.name,
            podNamespace: config.namespace,
            podUid: config.uid,
            portMappings: config.portMappings,
          }),
      startPause(deps, sandboxRecord, netns),
    ]);
    if (network.status === 'rejected') throw network.reason;
    if (pause.status === 'rejected') throw pause.reason;
    // The files live in the sandbox's dir, which teardown removes whatever the record says: they are
    // written before the one record write that notes the pause, the network's result and `ready`.
    record = { ...withStep(record, 'pause', pause.value), ...(network.value ? { network: network.value } : {}) };
    await writeSandboxFiles(dirs, record);
    record = await records.put({ ...withStep(record, 'files'), state: 'ready' });
    return record;
  });
}

async function writeSandboxFiles(dirs: RuntimeDirs, record: SandboxRecord): Promise<void> {
  const { config } = record;
  const ownNetwork = config.network === 'pod';
  const [hostResolv, hostHosts] = await Promise.all([readFile(dirs.hostResolvConf, 'utf8').catch(() => ''), readFile(dirs.hostHosts, 'utf8').catch(() => '')]);
  const fqdn = config.annotations['peapod.io/fqdn'];
  const hosts = ownNetwork ? hostsFileContent(record.network?.ip, config.hostname, fqdn, config.hostAliases) : hostHosts;
  await Promise.all([
    writeFile(join(record.dir, 'hosts'), hosts, { mode: 0o644 }),
    writeFile(join(record.dir, 'resolv.conf'), resolvConfContent(config.dns, hostResolv, ownNetwork), { mode: 0o644 }),
    writeFile(join(record.dir, 'hostname'), `${config.hostname}\n`, { mode: 0o644 }),
  ]);
}

/**
 * The files the containers bind-mount (sandbox/files.ts writes them once the pod has its IP), made empty
 * first: a container created beside the pause binds them before they have content, and the later write
 * (in place, the same inode) is what it sees.
 */
async function createBindTargets(dir: string): Promise<void> {
  await Promise.all(SANDBOX_FILES.map((name) => writeFile(join(dir, name), '', { mode: 0o644, flag: 'a' })));
}

/**
 * The pause container: catatonit -P under runc with no monitor (host/oci-runtime/unmonitored.ts), in the
 * pod's pinned namespaces: the pod's process (PID 1 of a shared PID namespace, the one the kubelet watches).
 * Its bundle is the sandbox's dir (config.json beside hosts and resolv.conf); its root filesystem, the one
 * every pause shares, read-only (pause-rootfs.ts). A directory per pause made and removed five inodes per
 * pod (its dir, rootfs, /catatonit, and runc's /proc, /dev, /sys), each a scan on a busy ext4.
 */
async function startPause(deps: SandboxDeps, record: SandboxRecord, network: NamespaceMode): Promise<Partial<SandboxRecord>> {
  const { host, dirs } = deps;
  const { config, id } = record;
  const pins = host.pins.paths(id);
  const bundle = record.dir;
  const rootfs = dirs.pauseRootfs;
  const seccomp = await loadSeccomp(config.seccomp ?? { kind: 'runtime-default' });
  const spec = buildSandboxSpec({
    sandboxId: id,
    hostname: config.hostname,
    rootfs,
    pausePath: dirs.pausePath,
    network,
    // The pins made for this sandbox (runPodSandbox pins every namespace the pod owns).
    ipc: config.ipc === 'node' ? { mode: 'host' } : { mode: 'pod', path: pins.ipcPath },
    uts: config.network === 'node' ? { mode: 'host' } : { mode: 'pod', path: pins.utsPath },
    pid: config.pid === 'node' ? { mode: 'host' } : { mode: 'own' },
    cgroupsPath: childCgroupPath(config.cgroupParent, id),
    oomScoreAdj: config.oomScoreAdj,
    sysctls: config.network === 'node' ? {} : config.sysctls,
    annotations: { 'io.kubernetes.cri.container-type': 'sandbox', 'io.kubernetes.cri.sandbox-id': id },
    seccomp,
    shm: record.shmPath,
  });
  await Promise.all([
    ensurePauseRootfs(
      rootfs,
      spec.mounts.map((m) => m.destination),
    ),
    // Not fsynced: a bundle serves one `runc create`, and runc's state (in the run root) dies with the machine.
    writeJsonAtomic(join(bundle, 'config.json'), spec, 0o644, { sync: 'none' }),
  ]);
  const { pid } = await host.oci.run(id, { bundle, outputPath: join(record.dir, 'pause.log') });
  const startTime = await host.proc.startTime(pid);
  return startTime === undefined ? { pausePid: pid } : { pausePid: pid, pauseStartTime: startTime };
}
