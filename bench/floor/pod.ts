// bench/floor: by hand, with no daemon and no bookkeeping, what starting the benchmark pod must do on
// this host (pod cgroup, netns and pinned IPC and UTS namespaces, CNI bridge + loopback ADD, a catatonit
// pause under runc, two busybox containers under runc joining the pod's network, IPC and UTS namespaces
// with their own PID and mount namespaces on an overlay rootfs, each in its own cgroup below the pod's;
// the containers created beside the pause and started once it and the network are up, as peapod does)
// and the matching teardown.
// This is the physical limit of a runc-based pod runtime; every pod figure is read as a ratio to it.
// With `monitor`, every container (not the pause, whose output and exit code mean nothing: bare runc on
// both floors, as peapod runs it) is started the way a CRI runtime must start it to keep its logs and exit
// code across a restart of the runtime: under a monitor process (conmon, through peapod's
// host/oci-runtime: `runc create` + `runc start`, CRI log file, exit file), torn down with its stop and
// remove. The difference between the two floors is what the monitor costs; what peapod costs
// above the monitored floor is its own (records, kubelet logic, API).
import { Limiter } from '../../src/common/concurrency.js';
import { defaultParallelPodStarts } from '../../src/common/ops-config.js';
import { copyFile, mkdir, readFile, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { invokePlugin, type CniInvocation, type PluginConfig } from '../../src/host/network/cni.js';
import { run, runToFile, runUnchecked, withSpawner } from '../../src/host/exec.js';
import { Spawner } from '../../src/host/spawner.js';
import { mountOverlay, unmountAll } from '../../src/host/mount.js';
import { pinNamespaces } from '../../src/host/ns-pin.js';
import { CONTAINER_COMMAND } from '../suites/manifests.js';
import { cgroupMountPoints } from '../../test/helpers/cgroupfs.js';
import { removeCgroupTree } from '../../test/helpers/roots.js';
import { readFile as readProcFile } from '../../src/common/quick-fs.js';
import { createOciRuntime } from '../../src/host/oci-runtime/runtime.js';
import type { OciRuntime } from '../../src/host/oci-runtime/types.js';

const CNI_BIN = '/usr/lib/cni';
const CGROUP_RMDIR_TRIES = 50;
/**
 * The floor's exit wait polls /proc every millisecond (peapod is woken by conmon's exit file), each poll a
 * direct read (quick-fs): through fs/promises the polls of a floor pod cost ≈ 34 ms of CPU per teardown,
 * CPU its other pods then lacked with 100 torn down at once.
 */
const EXIT_POLL_MS = 1;
/** The benchmark pod's terminationGracePeriodSeconds. */
const GRACE_MS = 1000;

export interface Floor {
  /** Everything a pod start does, returning when both containers run. */
  start(n: number): Promise<FloorPod>;
  /** `count` pod starts (numbered from `first`), the same steps, `parallel` of them under way at once. */
  startMany(first: number, count: number): Promise<FloorPod>;
  /** Removes the bridge, host-local's leases and the lower rootfs. */
  close(): Promise<void>;
}

export interface FloorPod {
  /**
   * Resolves once both containers' shells catch SIGTERM: a TERM that lands before the shell has set its
   * trap is ignored (a PID 1 has no default action), and a teardown would then wait out the grace period.
   */
  ready(): Promise<void>;
  teardown(): Promise<void>;
}

export interface FloorOptions {
  /** Start and stop every container under conmon (see the header), not bare `runc run -d`. */
  readonly monitor?: boolean;
  /** startMany's pods under way at once: peapod's daemon's bound (PEAPOD_MAX_PARALLEL_POD_STARTS), so both sides queue alike. */
  readonly parallel?: number;
}

/**
 * How a floor pod's containers start: created beside the pause and started after it ('beside', what
 * peapod does), or each started by one `runc run` once the pause is up ('after'). Each measure uses the
 * faster on this host (2 vCPUs, paired runs on one machine state): one pod 54–56 ms beside against 57–61
 * after (the creation overlaps the pause); 100 pods at once 7.6–7.8 s after against 8.8–9.7 s beside
 * (with every core busy, one Go process per container less beats any overlap).
 */
type FloorShape = 'beside' | 'after';

/** How one floor container is started and stopped: bare runc, or runc under conmon. */
interface Launcher {
  /** Created and started at once; resolves to its PID. */
  run(id: string, bundle: string): Promise<number>;
  /** Created, not started (its process waits in `runc init`); resolves to its PID. */
  create(id: string, bundle: string): Promise<number>;
  start(id: string): Promise<void>;
  /** Signals init and waits until it has exited (KILL after the grace period). */
  stop(id: string, pid: number, signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Plain `runc delete` of a stopped container (and the monitor's files). */
  remove(id: string): Promise<void>;
}

const bareRunc: Launcher = {
  run: runcRunDetached,
  create: runcCreate,
  start: (id) => run('runc', ['start', id]).then(() => undefined),
  stop: stopBare,
  remove: (id) => run('runc', ['delete', id]).then(() => undefined),
};

function monitoredRunc(oci: OciRuntime): Launcher {
  return {
    async run(id, bundle) {
      const { pid } = await oci.create(id, { bundle, logPath: join(bundle, 'container.log') });
      await oci.start(id);
      return pid;
    },
    create: async (id, bundle) => (await oci.create(id, { bundle, logPath: join(bundle, 'container.log') })).pid,
    start: (id) => oci.start(id),
    async stop(id, _pid, signal) {
      await oci.stop(id, signal === 'SIGKILL' ? 0 : GRACE_MS);
    },
    remove: (id) => oci.remove(id),
  };
}

export async function createFloor(dir: string, subnet: string, options: FloorOptions = {}): Promise<Floor> {
  const tag = Math.random().toString(16).slice(2, 8);
  const monitorDir = join(dir, `monitor-${tag}`);
  const launcher = options.monitor
    ? monitoredRunc(
        createOciRuntime({
          runtimePath: 'runc',
          conmonPath: 'conmon',
          runcRoot: join(monitorDir, 'runc'),
          stateDir: join(monitorDir, 'conmon'),
          exitDir: join(monitorDir, 'exits'),
        }),
      )
    : bareRunc;
  const bridge = `pf${tag}`;
  const cgroupRoot = `/peapod-floor-${tag}`;
  const lower = join(dir, `busybox-lower-${tag}`);
  const pauseRootfs = join(dir, `pause-rootfs-${tag}`);
  await mkdir(pauseRootfs, { recursive: true });
  await mkdir(join(lower, 'bin'), { recursive: true });
  await copyFile('/bin/busybox', join(lower, 'bin/busybox'));
  for (const applet of ['sh', 'sleep', 'true']) await symlink('busybox', join(lower, 'bin', applet));
  const network = 'peapod-floor';
  const plugin: PluginConfig = {
    type: 'bridge',
    bridge,
    isGateway: true,
    ipMasq: false,
    ipam: { type: 'host-local', ranges: [[{ subnet }]], dataDir: join(dir, 'cni-leases') },
  };
  const baseSpec = await runcDefaultSpec(dir);
  // Every mounted hierarchy (from mountinfo): runc makes the container's path in all of them, named and
  // unified ones included, so the pod level must exist and be removed in all of them too.
  const hierarchies = await cgroupMountPoints();

  const startPod = async (n: number, shape: FloorShape): Promise<FloorPod> => {
    const id = `floor-${tag}-${n}`;
    const podDir = join(dir, id);
    const podCgroup = `${cgroupRoot}/pod${n}`;
    await mkdir(podDir, { recursive: true });
    const netns = join(podDir, 'netns');
    const pins = { ipc: join(podDir, 'ipcns'), uts: join(podDir, 'utsns') };
    // The pod cgroup, the netns and the IPC and UTS namespaces (pinned, named inside): side by side, the
    // pins made by the spawner's syscalls as peapod's daemon makes them (host/ns-pin.ts).
    await Promise.all([
      ...hierarchies.map((h) => mkdir(join(h, podCgroup), { recursive: true })),
      pinNamespaces([{ kind: 'net', path: netns }]),
      pinNamespaces(
        [
          { kind: 'ipc', path: pins.ipc },
          { kind: 'uts', path: pins.uts },
        ],
        id.slice(0, 63),
      ),
    ]);
    const podNamespaces = [
      { type: 'network', path: netns },
      { type: 'ipc', path: pins.ipc },
      { type: 'uts', path: pins.uts },
    ];
    const call = (command: CniInvocation['command'], ifName: string): CniInvocation => ({
      command,
      containerId: id,
      netns,
      ifName,
      args: {},
      binDir: CNI_BIN,
    });
    // The pod's dir is the pause's bundle; its root filesystem is the one every pause shares, as peapod's.
    const pauseBundle = podDir;
    const pauseSpec = withProcess(baseSpec, ['/catatonit', '-P'], pauseRootfs, `${podCgroup}/pause`, [{ type: 'pid' }, ...podNamespaces, { type: 'mount' }]);
    pauseSpec['root'] = { path: pauseRootfs, readonly: true };
    pauseSpec['mounts'] = [
      ...(pauseSpec['mounts'] as unknown[]),
      { destination: '/catatonit', type: 'bind', source: '/usr/bin/catatonit', options: ['bind', 'ro'] },
    ];
    await writeFile(join(pauseBundle, 'config.json'), JSON.stringify(pauseSpec));
    const containers = ['a', 'b'];
    const prepare = async (name: string): Promise<string> => {
      const bundle = join(podDir, name);
      const rootfs = join(bundle, 'rootfs');
      await Promise.all(['rootfs', 'upper', 'work'].map((d) => mkdir(join(bundle, d), { recursive: true })));
      await mountOverlay([lower], join(bundle, 'upper'), join(bundle, 'work'), rootfs);
      const spec = withProcess(baseSpec, [...CONTAINER_COMMAND], rootfs, `${podCgroup}/${name}`, [{ type: 'pid' }, ...podNamespaces, { type: 'mount' }]);
      await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
      return bundle;
    };
    // The pause needs no monitor (its output and exit code mean nothing): bare runc on both floors, as
    // peapod runs it. The two CNI ADDs touch different interfaces; the containers join the pins, not the
    // pause: all of it side by side. 'beside': the containers are created beside the pause and started
    // once the network and the pause are up, as the kubelet orders it; 'after': their rootfs is made
    // beside the pause and each starts (one `runc run`) once it is up.
    const containerWork =
      shape === 'beside'
        ? Promise.all(containers.map(async (name) => launcher.create(`${id}-${name}`, await prepare(name))))
        : Promise.all(containers.map(prepare));
    const [, , pausePid, made] = await Promise.all([
      invokePlugin(network, plugin, call('ADD', 'eth0')),
      invokePlugin(network, { type: 'loopback' }, call('ADD', 'lo')),
      bareRunc.run(`${id}-pause`, pauseBundle),
      containerWork,
    ]);
    const pids =
      shape === 'beside'
        ? await Promise.all(containers.map((name) => launcher.start(`${id}-${name}`))).then(() => made as number[])
        : await Promise.all(containers.map((name, i) => launcher.run(`${id}-${name}`, String(made[i]))));
    return {
      ready: async () => void (await Promise.all(pids.map((pid) => waitCatchesTerm(pid)))),
      // The way peapod stops a pod: signal, wait for the exit; then, side by side, plain `runc delete`
      // (`--force` would sleep 100 ms before its first check) and umount of each container, the pause
      // (KILL, wait, delete), and CNI DEL then the netns; the pod cgroup last.
      async teardown() {
        await Promise.all(containers.map((name, i) => launcher.stop(`${id}-${name}`, pids[i] ?? 0, 'SIGTERM')));
        await Promise.all([
          ...containers.map((name) => Promise.all([launcher.remove(`${id}-${name}`), unmountAll([join(podDir, name, 'rootfs')])])),
          bareRunc.stop(`${id}-pause`, pausePid, 'SIGKILL').then(() => bareRunc.remove(`${id}-pause`)),
          invokePlugin(network, plugin, call('DEL', 'eth0')).then(() => unmountAll([netns], { lazy: true })),
          unmountAll([pins.ipc, pins.uts], { lazy: true }),
        ]);
        await Promise.all(hierarchies.map((h) => rmdirRetrying(join(h, podCgroup))));
        await rm(podDir, { recursive: true, force: true });
      },
    };
  };
  const inner: Floor = {
    start: (n) => startPod(n, 'beside'),
    async startMany(first, count) {
      const starts = new Limiter(options.parallel ?? defaultParallelPodStarts());
      const settled = await Promise.allSettled(Array.from({ length: count }, (_, i) => starts.run(() => startPod(first + i, 'after'))));
      const pods = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const teardown = async (): Promise<void> => void (await Promise.all(pods.map((p) => p.teardown())));
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) {
        await teardown();
        throw failed.reason;
      }
      return { ready: async () => void (await Promise.all(pods.map((p) => p.ready()))), teardown };
    },
    async close() {
      await runUnchecked('ip', ['link', 'del', bridge]);
      await removeCgroupTree(cgroupRoot);
      await rm(join(dir, 'cni-leases'), { recursive: true, force: true });
      await rm(lower, { recursive: true, force: true });
      await rm(pauseRootfs, { recursive: true, force: true });
      await rm(monitorDir, { recursive: true, force: true });
    },
  };
  // The floor runs its commands the way peapod's daemon does (host/spawner.ts): through a resident
  // spawner, not by forking the benchmark process, so the best way to do the work stays the floor's way.
  const spawner = new Spawner();
  const scoped = <T>(fn: () => Promise<T>): Promise<T> => withSpawner(spawner, fn);
  const scopedPod = (pod: FloorPod): FloorPod => ({ ready: () => scoped(() => pod.ready()), teardown: () => scoped(() => pod.teardown()) });
  return {
    start: async (n) => scopedPod(await scoped(() => inner.start(n))),
    startMany: async (first, count) => scopedPod(await scoped(() => inner.startMany(first, count))),
    close: async () => {
      try {
        await scoped(() => inner.close());
      } finally {
        spawner.close();
      }
    },
  };
}

type Json = Record<string, unknown>;

async function runcDefaultSpec(dir: string): Promise<Json> {
  const bundle = join(dir, 'spec-template');
  await mkdir(bundle, { recursive: true });
  await run('runc', ['spec', '--bundle', bundle]);
  const spec = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as Json;
  await rm(bundle, { recursive: true, force: true });
  return spec;
}

function withProcess(base: Json, args: string[], rootfs: string, cgroupsPath: string, namespaces: Json[]): Json {
  const spec = structuredClone(base);
  const process = spec['process'] as Json;
  process['args'] = args;
  process['terminal'] = false;
  spec['root'] = { path: rootfs, readonly: false };
  const linux = spec['linux'] as Json;
  linux['namespaces'] = namespaces;
  linux['cgroupsPath'] = cgroupsPath;
  return spec;
}

/** `runc run -d`, its stdio (held by the container, so no pipes) to a file in the bundle; resolves to its PID. */
async function runcRunDetached(id: string, bundle: string): Promise<number> {
  const pidFile = join(bundle, 'pid');
  const r = await runToFile('runc', ['run', '-d', '--pid-file', pidFile, '--bundle', bundle, id], join(bundle, 'output.log'));
  if (r.code !== 0) throw new Error(`runc run ${id} exited ${r.code}: ${r.stderr}`);
  return Number(await readFile(pidFile, 'utf8'));
}

/** `runc create`, its stdio (held by the container's init) to a file in the bundle; resolves to its PID. */
async function runcCreate(id: string, bundle: string): Promise<number> {
  const pidFile = join(bundle, 'pid');
  const r = await runToFile('runc', ['create', '--pid-file', pidFile, '--bundle', bundle, id], join(bundle, 'output.log'));
  if (r.code !== 0) throw new Error(`runc create ${id} exited ${r.code}: ${r.stderr}`);
  return Number(await readFile(pidFile, 'utf8'));
}

/**
 * The signal straight to init (the PID this floor just started; peapod checks the start time first), wait
 * until it has exited (gone or a zombie); as peapod does, a container still running after the grace
 * period gets SIGKILL.
 */
async function stopBare(id: string, pid: number, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  process.kill(pid, signal);
  if (!(await exited(pid, GRACE_MS))) {
    process.kill(pid, 'SIGKILL');
    if (!(await exited(pid, GRACE_MS))) throw new Error(`container ${id} (pid ${pid}) outlived SIGKILL`);
  }
}

async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await runningPid(pid)) {
    if (Date.now() > deadline) return false;
    await delay(EXIT_POLL_MS);
  }
  return true;
}

async function waitCatchesTerm(pid: number): Promise<void> {
  const deadline = Date.now() + GRACE_MS;
  for (;;) {
    const [status, wchan] = await Promise.all([readProcFile(`/proc/${pid}/status`, 'utf8'), readProcFile(`/proc/${pid}/wchan`, 'utf8')]);
    const caught = BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0'}`);
    // bit 15 - 1: SIGTERM. And the shell blocked in its `wait` (wait4 or sigsuspend): a TERM that came
    // before it got there would wait for its `sleep 1` to end, a second added to this floor's teardown
    // (2 or 3 rounds in 10 before this check) that is the workload's, not the runtime's.
    if ((caught >> 14n) & 1n && /wait|sigsuspend/.test(wchan)) return;
    if (Date.now() > deadline)
      throw new Error(`pid ${pid} is not idle in its wait with SIGTERM caught (SigCgt bit ${(caught >> 14n) & 1n}, wchan ${wchan || '-'})`);
    await delay(EXIT_POLL_MS);
  }
}

/** Whether the process runs: /proc/<pid>/stat exists and its state is not Z (exited, not yet reaped). */
async function runningPid(pid: number): Promise<boolean> {
  try {
    const stat = await readProcFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A cgroup stays busy a moment after its last process was killed. */
async function rmdirRetrying(path: string): Promise<void> {
  for (let i = 0; i < CGROUP_RMDIR_TRIES; i++) {
    try {
      await rmdir(path);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      await delay(10);
    }
  }
  throw new Error(`cgroup ${path} is still busy`);
}
