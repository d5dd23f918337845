// Composition root of `peapod daemon`: builds the services, reconciles state with the host, registers
// routes, serves the socket, and shuts down cleanly on SIGTERM/SIGINT (containers keep running:
// conmon owns them, not us).
import { mkdir, writeFile, rm, readFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { totalmem } from 'node:os';
import type { PeapodConfig } from '../common/config.js';
import { ENV_NAMES, paths } from '../common/config.js';
import { ApiRouter, listenInherited, listenUnix } from '../api/server.js';
import { takeActivationFd } from '../host/systemd-activation.js';
import { registerSystemRoutes } from '../api/routes/system.js';
import { registerPodRoutes } from '../api/routes/pods.js';
import { registerObjectRoutes } from '../api/routes/objects.js';
import { startWorkloads, type Workloads } from '../controllers/index.js';
import { attachServiceStore, startServices, storeServiceState, type DaemonServices } from './services.js';
import { registerImageRoutes } from '../api/routes/images.js';
import { createImageService } from '../image/service.js';
import { loadMirrors, type MirrorMap } from '../image/registry/mirrors.js';
import type { ImageService } from '../image/types.js';
import { Runtime } from '../runtime/runtime.js';
import type { RuntimeHost } from '../runtime/host.js';
import { PodManager } from '../kubelet/manager.js';
import type { ClaimVolume } from '../kubelet/volumes/setup.js';
import { StaticPodWatcher } from '../kubelet/static-pods.js';
import { ImageGcManager } from '../kubelet/image-gc.js';
import { EvictionManager, parseEvictionThresholds, type EvictionThreshold } from '../kubelet/eviction.js';
import { NodeStats, containerFamilies } from '../kubelet/node-stats.js';
import { registerStatsRoutes } from '../api/routes/stats.js';
import { metrics, ownFamilies, renderExposition } from '../common/metrics.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { operationsInfo } from './operations-info.js';
import { bindMount, isMountPoint, listMounts, mountTmpfs, unmount } from '../host/mount.js';
import { createRuntimeHost, runtimeDirs } from './runtime-host.js';
import { qosParentCgroups } from './qos-cgroups.js';
import { assertControllers } from '../host/cgroups/controllers.js';
import { which } from '../host/which.js';
import { boundingCapabilityNumbers } from '../host/proc.js';
import { ALL_CAPABILITIES } from '../oci/security.js';
import { startCriServer, type CriServer } from '../cri/listener.js';
import { PEAPOD_VERSION } from '../common/version.js';
import { withFaultPoints } from '../common/fault.js';
import { PeapodError } from '../common/errors.js';
import { acquireStateLock, type StateLock } from '../host/state-lock.js';
import { useSpawner } from '../host/exec.js';
import { Spawner, spawnerAvailable } from '../host/spawner.js';
import { PYTHON3 } from '../host/attach-socket.js';
import type { KubeApiServer } from '../kubeapi/server.js';
import { lazyDashboard, type LazyDashboard } from './lazy-dashboard.js';

export interface DaemonHandle {
  readonly server: Server;
  readonly pods: PodManager;
  readonly workloads: Workloads;
  close(): Promise<void>;
}

export type Logger = (message: string) => void;

/** Eviction checks: half the kubelet's 10 s housekeeping, since a memory hog fills memory fast. */
const EVICTION_PERIOD_MS = 5000;

async function readOomScoreAdj(): Promise<number> {
  const text = await readFile('/proc/self/oom_score_adj', 'utf8').catch(() => '0');
  const value = Number(text.trim());
  return Number.isInteger(value) ? value : 0;
}

/**
 * The state lock comes before anything that reads or changes the state (recovery, pod workers,
 * sockets): a second daemon on the same roots stops here, naming the first one's PID.
 */
export async function startDaemon(config: PeapodConfig, log: Logger): Promise<DaemonHandle> {
  const lock = await acquireStateLock([config.root, config.runRoot]);
  try {
    return await startLocked(config, log, lock);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function startLocked(config: PeapodConfig, log: Logger, lock: StateLock): Promise<DaemonHandle> {
  // Settings checked before anything starts, so a bad one stops the daemon with nothing to undo.
  const evictionThresholds = parseEvictionThresholds(config.evictionHard, ENV_NAMES.evictionHard);
  // Every command the daemon runs goes through a small resident spawner (host/spawner.ts says why); it
  // exits with the daemon, whose end closes its stdin. Without python3 the daemon forks them itself.
  if (await spawnerAvailable()) useSpawner(new Spawner());
  else log(`${PYTHON3} is missing: the daemon forks its commands itself (slower with many pods; scripts/setup.sh installs python3)`);
  const core = await startCore(config, log);
  // Bound late: the workload store holding the claims starts after the pods (whose records it reads).
  const late: { workloads?: Workloads } = {};
  const pods = await createPodManager(config, core, log, (namespace, claimName) =>
    late.workloads ? late.workloads.claimVolume(namespace, claimName) : { waiting: 'the volume controllers are starting' },
  );
  const node = await startNodeServices(config, core, pods, evictionThresholds, log);
  const workloads = await startWorkloads({ root: config.root, pods, log, localPathRoot: paths(config).localPath });
  late.workloads = workloads;
  core.serviceState.attach(workloads.store);
  attachServiceStore(core.services, workloads.store);
  const { router, stats, dashboard } = buildRouter(config, core, pods, workloads, node, log);
  const stopWorkers = (): void => {
    void dashboard.close();
    node.eviction.stop();
    node.imageGc.stop();
    node.staticPods.stop();
    void workloads.stop();
    void core.services.close(false);
    pods.stop();
    core.runtime.close();
  };
  const doors = await openDoors(config, core, pods, workloads, router, stats, stopWorkers, log);
  await writeFile(paths(config).daemonPid, `${process.pid}\n`);
  log(`peapod daemon ${process.pid} listening on ${config.socket}${doors.activationFd !== undefined ? ' (socket from systemd)' : ''}`);
  return { server: doors.server, pods, workloads, close: () => closeDaemon(config, core, doors, workloads, stopWorkers, lock, log) };
}

/** What everything else stands on: the image service, the host's runtime primitives, the runtime recovered. */
interface Core {
  readonly mirrors: MirrorMap;
  readonly images: ImageService;
  readonly host: RuntimeHost;
  readonly runtime: Runtime;
  /** Services: the cluster DNS on the pod bridge's gateway and the proxy's dataplane (services.ts). */
  readonly services: DaemonServices;
  readonly serviceState: ReturnType<typeof storeServiceState>;
}

async function startCore(config: PeapodConfig, log: Logger): Promise<Core> {
  await mkdir(config.root, { recursive: true, mode: 0o700 });
  await mkdir(config.runRoot, { recursive: true, mode: 0o700 });
  const mirrors = await loadMirrors(config.registryMirrors, config.registriesConfig);
  const images = createImageService(config, mirrors);
  const host = await createRuntimeHost(config, images, log);
  // Like the kubelet: no start without the cpu, memory and pids controllers (the error names the file).
  assertControllers(await host.cgroups.controllers());
  const runtime = new Runtime(host, runtimeDirs(config, await resolvePause(config.pausePath)), log, { maxParallelPodStarts: config.maxParallelPodStarts });
  await runtime.load();
  await runtime.recover();
  for (const cgroup of qosParentCgroups(config.cgroupRoot)) await host.cgroups.create(cgroup);
  await host.network.ensureReady();
  const serviceState = storeServiceState();
  const services = await startServices(config, serviceState, log);
  return { mirrors, images, host, runtime, services, serviceState };
}

async function createPodManager(
  config: PeapodConfig,
  core: Core,
  log: Logger,
  claimVolume: (namespace: string, claimName: string) => ClaimVolume,
): Promise<PodManager> {
  const { runtime, images, services, serviceState } = core;
  return new PodManager({
    root: config.root,
    runtime,
    images,
    ctx: {
      cgroupRoot: config.cgroupRoot,
      logRoot: paths(config).logs,
      oomScoreAdjFloor: await readOomScoreAdj(),
      memoryCapacityBytes: totalmem(),
      seccompRoot: paths(config).seccomp,
      hostCapabilities: (await boundingCapabilityNumbers()).map((n) => ALL_CAPABILITIES[n]).filter((c): c is string => c !== undefined),
      dns: services.dns,
      services: (namespace: string) => serviceState.services().filter((s) => (s.metadata.namespace ?? 'default') === namespace),
    },
    volumeOps: withFaultPoints(
      {
        mountTmpfs,
        unmount: (target: string) => unmount(target),
        isMountPoint,
        bindExact: (source: string, target: string) => bindMount(source, target, { exact: true }),
        mountsUnder: async (prefix: string) => (await listMounts(prefix)).map((m) => m.target),
      },
      'volumes',
      ['mountTmpfs', 'unmount', 'bindExact'],
    ),
    log,
    claimVolume,
    logRotation: { maxSize: config.containerLogMaxSize, maxFiles: config.containerLogMaxFiles, compress: config.containerLogCompress },
  });
}

/** The kubelet's node housekeeping besides the pod workers: image GC, static pods, eviction. */
interface NodeServices {
  readonly imageGc: ImageGcManager;
  readonly staticPods: StaticPodWatcher;
  readonly eviction: EvictionManager;
}

async function startNodeServices(
  config: PeapodConfig,
  core: Core,
  pods: PodManager,
  thresholds: readonly EvictionThreshold[],
  log: Logger,
): Promise<NodeServices> {
  const { images, runtime } = core;
  const imagesInUse = (): Promise<ReadonlySet<string>> => Promise.resolve(new Set(runtime.containers.list().map((c) => c.imageId)));
  images.setUsageProvider(imagesInUse);
  const imageGc = new ImageGcManager(
    images,
    config.root,
    { highPercent: config.imageGcHighPercent, lowPercent: config.imageGcLowPercent, periodMs: config.imageGcPeriodSeconds * 1000 },
    imagesInUse,
    log,
  );
  await pods.start();
  const staticPods = new StaticPodWatcher(config.manifestDir, pods, log);
  await staticPods.start();
  imageGc.start();
  const eviction = new EvictionManager({
    thresholds,
    periodMs: EVICTION_PERIOD_MS,
    rootPath: config.root,
    candidates: () => pods.evictionCandidates(),
    evict: (uid, message) => pods.evict(uid, message),
    log,
  });
  eviction.start();
  return { imageGc, staticPods, eviction };
}

function buildRouter(
  config: PeapodConfig,
  core: Core,
  pods: PodManager,
  workloads: Workloads,
  node: NodeServices,
  log: Logger,
): { router: ApiRouter; stats: NodeStats; dashboard: LazyDashboard } {
  const { images, host, runtime } = core;
  const router = new ApiRouter();
  registerSystemRoutes(router, config, core.mirrors, {
    imageCount: () => images.count(),
    podCount: () => Promise.resolve(pods.count()),
    hostWarnings: async () => [await host.network.forwardingProblem(), ...core.services.warnings].filter((w): w is string => w !== undefined),
    operations: () => operationsInfo(config, node.imageGc, pods, node.eviction),
  });
  registerImageRoutes(router, images);
  registerPodRoutes(router, pods, runtime, workloads.applier);
  registerObjectRoutes(router, workloads.store, workloads.applier, pods);
  const stats = new NodeStats(runtime);
  registerStatsRoutes(router, stats);
  // The web dashboard listens only once `peapod dashboard` asks for a login URL; its code loads then too.
  const dashboard = lazyDashboard(() => ({
    router,
    pods,
    runtime,
    address: config.dashboardAddress,
    kubepodsCgroup: qosParentCgroups(config.cgroupRoot)[0] ?? '',
    log,
  }));
  router.json('POST', '/v1/dashboard', () => dashboard.open());
  return { router, stats, dashboard };
}

/** The daemon's doors: the API socket, then the CRI socket, metrics and the Kubernetes API when configured. */
interface Doors {
  readonly server: Server;
  readonly activationFd: number | undefined;
  readonly cri: CriServer | undefined;
  readonly metricsServer: MetricsServer | undefined;
  readonly kubeApi: KubeApiServer | undefined;
}

async function openDoors(
  config: PeapodConfig,
  core: Core,
  pods: PodManager,
  workloads: Workloads,
  router: ApiRouter,
  stats: NodeStats,
  stopWorkers: () => void,
  log: Logger,
): Promise<Doors> {
  const { runtime, images } = core;
  // A daemon that cannot open its doors stops what it started, so that its process can end.
  const onApiError = (err: unknown): void => log(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  const activationFd = takeActivationFd();
  const listening = activationFd !== undefined ? listenInherited(router, activationFd, onApiError) : listenUnix(router, config.socket, onApiError);
  const server = await listening.catch((err: unknown) => {
    stopWorkers();
    throw err;
  });
  const stopServing = async (): Promise<void> => {
    stopWorkers();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  // A daemon without the door it was asked to open must not keep serving the other one.
  const cri = await startCri(config, runtime, images, log).catch(async (err: unknown) => {
    await stopServing();
    throw err;
  });
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    metrics.inFlight.inc({ door: 'api' });
    res.once('close', () => metrics.inFlight.dec({ door: 'api' }));
  });
  const metricsServer = await startMetrics(config, runtime, stats, log).catch(async (err: unknown) => {
    // Asked for and not served (the port is taken): the daemon stops rather than run without it.
    await cri?.close();
    await stopServing();
    throw err;
  });
  const kubeApi = await startKubeApiDoor(config, pods, runtime, workloads, log).catch(async (err: unknown) => {
    await cri?.close();
    await metricsServer?.close();
    await stopServing();
    throw err;
  });
  return { server, activationFd, cri, metricsServer, kubeApi };
}

/** The /metrics endpoint (empty address = disabled). */
async function startMetrics(config: PeapodConfig, runtime: Runtime, stats: NodeStats, log: Logger): Promise<MetricsServer | undefined> {
  if (config.metricsAddress === '') return undefined;
  const scrape = async (): Promise<string> =>
    renderExposition([
      ...containerFamilies(await stats.containers(), runtime.sandboxes.list().filter((s) => s.state === 'ready').length, containerStates(runtime)),
      ...ownFamilies(),
    ]);
  return startMetricsServer(config.metricsAddress, scrape, log);
}

async function closeDaemon(
  config: PeapodConfig,
  core: Core,
  doors: Doors,
  workloads: Workloads,
  stopWorkers: () => void,
  lock: StateLock,
  log: Logger,
): Promise<void> {
  await doors.kubeApi?.close();
  await doors.cri?.close();
  await doors.metricsServer?.close();
  // The controllers' syncs in flight finish before the pod manager stops under them.
  await workloads.stop();
  stopWorkers();
  // Like the pod network: with no pod left, no Service rule stays either; with pods, traffic keeps flowing.
  await core.services.close(core.runtime.sandboxes.list().length === 0);
  // With no pod left, a stopping daemon leaves nothing on the host: not even its bridge and masquerade rule.
  if (core.runtime.sandboxes.list().length === 0)
    await core.host.network.removeHostSetup().catch((err: unknown) => log(`removing the pod network setup: ${String(err)}`));
  doors.server.closeAllConnections();
  await new Promise<void>((resolve) => doors.server.close(() => resolve()));
  // A socket systemd made stays with systemd, which starts the daemon again on the next connection.
  if (doors.activationFd === undefined) await rm(config.socket, { force: true });
  await rm(paths(config).daemonPid, { force: true });
  lock.release();
}

/** The CRI door: same runtime and image service as the CLI's, on its own socket (empty = disabled). */
async function startCri(config: PeapodConfig, runtime: Runtime, images: ImageService, log: Logger): Promise<CriServer | undefined> {
  if (config.criSocket === '') return undefined;
  const p = paths(config);
  const cri = await startCriServer(config.criSocket, {
    runtime,
    images,
    settings: {
      cgroupRoot: config.cgroupRoot,
      logRoot: p.logs,
      imageFsDirs: [p.images, p.snapshots],
      cniBinDir: config.cniBinDir,
      podSubnet: config.subnet,
      oomScoreAdjFloor: await readOomScoreAdj(),
      hostCapabilities: (await boundingCapabilityNumbers()).map((n) => ALL_CAPABILITIES[n]).filter((c): c is string => c !== undefined),
      runtimeVersion: PEAPOD_VERSION,
      streamingAddress: config.streamingAddress,
    },
    log,
  });
  log(`CRI v1 endpoint listening on ${config.criSocket}`);
  return cri;
}

/** The Kubernetes API door (HTTPS on 127.0.0.1, client certificates only); '' or '0' disables it, and its code is then never loaded. */
async function startKubeApiDoor(
  config: PeapodConfig,
  pods: PodManager,
  runtime: Runtime,
  workloads: Workloads,
  log: Logger,
): Promise<KubeApiServer | undefined> {
  if (config.kubeApiPort === '' || config.kubeApiPort === '0') return undefined;
  const port = Number(config.kubeApiPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new PeapodError('InvalidArgument', `PEAPOD_KUBE_API_PORT: ${JSON.stringify(config.kubeApiPort)} is not a TCP port`);
  const p = paths(config);
  const { startKubeApi } = await import('../kubeapi/index.js');
  return startKubeApi({ port, certDir: p.kubeApiCerts, root: config.root, pods, runtime, workloads, log });
}

/** catatonit is bind-mounted into every pause container: it must be an absolute host path. */
async function resolvePause(pausePath: string): Promise<string> {
  return (await which(pausePath)) ?? `/usr/bin/${pausePath}`;
}

/** kubelet_running_containers by state, from the runtime's records. */
function containerStates(runtime: Runtime): Record<string, number> {
  const states: Record<string, number> = { running: 0, exited: 0, created: 0 };
  for (const c of runtime.containers.list()) if (c.state in states) states[c.state] = (states[c.state] ?? 0) + 1;
  return states;
}
