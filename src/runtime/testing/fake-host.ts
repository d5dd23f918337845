// An in-memory RuntimeHost for component tests of runtime/ and kubelet/ (containerd's fake_os idea):
// records every call, lets a test fail the Nth call of an operation, and lets it make containers exit.
import { EventEmitter } from 'node:events';
import { PeapodError, asError } from '../../common/errors.js';
import type { CgroupManager, CgroupReadback, CgroupResources } from '../../host/cgroups/types.js';
import type { NamespacePins } from '../../host/namespace-pins.js';
import type { PodNetworkManager, PodNetworkRequest, PodNetworkStatus } from '../../host/network/types.js';
import type { ContainerRuntimeState, CreateOptions, ExecResult, ExitStatus, OciRuntime, RunOptions } from '../../host/oci-runtime/types.js';
import type { RuntimeHost } from '../host.js';
import type { ImageRecord, ImageRuntimeConfig } from '../../image/types.js';

export interface FakeCall {
  readonly op: string;
  readonly args: readonly unknown[];
}

interface FakeContainer {
  status: 'created' | 'running' | 'stopped';
  pid: number;
  exit?: ExitStatus;
}

export class FakeHost implements RuntimeHost {
  readonly calls: FakeCall[] = [];
  readonly cgroupsCreated = new Map<string, CgroupResources | undefined>();
  readonly netns = new Set<string>();
  readonly leases = new Map<string, string>();
  readonly containers = new Map<string, FakeContainer>();
  readonly mounted = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly exits = new EventEmitter();
  private nextPid = 1000;
  private nextIp = 2;
  clock = new Date('2026-01-01T00:00:00Z');
  /** What network.forwardingProblem() answers (undefined: forwarding is on). */
  forwardingProblem: string | undefined = undefined;
  /** The exit code every execSync (exec probes) answers with. */
  execExitCode = 0;

  /** Makes the next call of `op` (e.g. 'oci.create', 'network.setUp') fail once, after `skip` successful calls. */
  failNext(op: string, skip = 0): void {
    this.failures.set(op, skip);
  }

  private record(op: string, ...args: unknown[]): void {
    this.calls.push({ op, args });
    const skip = this.failures.get(op);
    if (skip === undefined) return;
    if (skip > 0) this.failures.set(op, skip - 1);
    else {
      this.failures.delete(op);
      throw new PeapodError('Internal', `injected failure in ${op}`);
    }
  }

  /** Makes a running container exit with a code, as if its process ended. */
  exit(id: string, exitCode: number, oomKilled = false): void {
    const c = this.containers.get(id);
    if (!c || c.status === 'stopped') return;
    c.status = 'stopped';
    c.exit = { exitCode, finishedAt: this.clock.toISOString(), ...(oomKilled ? { oomKilled } : {}) };
    this.exits.emit(id, c.exit);
  }

  readonly now = (): Date => this.clock;

  readonly cgroups: CgroupManager = {
    version: 'v1',
    controllers: () => Promise.resolve({ version: 'v1', available: ['cpu', 'memory', 'pids'], missing: [] }),
    containerUnified: () => Promise.resolve({}),
    create: (path, resources) => {
      this.record('cgroups.create', path);
      this.cgroupsCreated.set(path, resources);
      return Promise.resolve();
    },
    update: (path, resources) => {
      this.record('cgroups.update', path);
      this.cgroupsCreated.set(path, resources);
      return Promise.resolve();
    },
    remove: (path) => {
      this.record('cgroups.remove', path);
      for (const key of [...this.cgroupsCreated.keys()]) if (key === path || key.startsWith(`${path}/`)) this.cgroupsCreated.delete(key);
      return Promise.resolve();
    },
    exists: (path) => Promise.resolve(this.cgroupsCreated.has(path)),
    read: (path): Promise<CgroupReadback> => Promise.resolve({ path, oomKills: 0 }),
    pids: () => Promise.resolve([]),
    listTree: (path) => Promise.resolve([...this.cgroupsCreated.keys()].filter((k) => k === path || k.startsWith(`${path}/`))),
  };

  readonly network: PodNetworkManager = {
    ensureReady: () => Promise.resolve(),
    forwardingProblem: () => Promise.resolve(this.forwardingProblem),
    createNetns: (id) => {
      this.record('network.createNetns', id);
      this.netns.add(id);
      return Promise.resolve(`/fake/netns/${id}`);
    },
    removeNetns: (id) => {
      this.record('network.removeNetns', id);
      this.netns.delete(id);
      return Promise.resolve();
    },
    netnsPath: (id) => `/fake/netns/${id}`,
    // A rejection, as from the real (async) CNI ADD: the pause beside it is still asked for.
    setUp: (request: PodNetworkRequest): Promise<PodNetworkStatus> => {
      try {
        this.record('network.setUp', request.sandboxId);
      } catch (err) {
        return Promise.reject(asError(err));
      }
      const ip = `10.0.0.${this.nextIp++}`;
      this.leases.set(request.sandboxId, ip);
      return Promise.resolve({ ip, prefixLength: 24, gateway: '10.0.0.1', interfaceName: 'eth0', cniResult: {} });
    },
    tearDown: (request) => {
      this.record('network.tearDown', request.sandboxId);
      this.leases.delete(request.sandboxId);
      return Promise.resolve();
    },
    removeHostSetup: () => Promise.resolve(),
  };

  readonly pins: NamespacePins = {
    create: (id, request) => {
      this.record('pins.create', id);
      const paths = this.pins.paths(id);
      return Promise.resolve({
        ...(request.ipc ? { ipcPath: paths.ipcPath, shmPath: paths.shmPath } : {}),
        ...(request.hostname !== undefined ? { utsPath: paths.utsPath } : {}),
      });
    },
    remove: (id) => {
      this.record('pins.remove', id);
      return Promise.resolve();
    },
    paths: (id) => ({ ipcPath: `/fake/ipcns/${id}`, utsPath: `/fake/utsns/${id}`, shmPath: `/fake/shm/${id}` }),
  };

  readonly oci: OciRuntime = {
    run: (id: string, _options: RunOptions) => {
      this.record('oci.run', id);
      const pid = this.nextPid++;
      this.containers.set(id, { status: 'running', pid });
      return Promise.resolve({ pid });
    },
    create: (id: string, _options: CreateOptions) => {
      this.record('oci.create', id);
      const pid = this.nextPid++;
      this.containers.set(id, { status: 'created', pid });
      return Promise.resolve({ pid, conmonPid: pid + 100000 });
    },
    start: (id) => {
      this.record('oci.start', id);
      const c = this.containers.get(id);
      if (!c) return Promise.reject(new PeapodError('NotFound', `container ${id} does not exist`));
      c.status = 'running';
      return Promise.resolve();
    },
    state: (id): Promise<ContainerRuntimeState | undefined> => {
      const c = this.containers.get(id);
      if (!c) return Promise.resolve(undefined);
      if (c.status === 'stopped') return Promise.resolve(c.exit ? { status: 'stopped', exit: c.exit } : { status: 'stopped' });
      return Promise.resolve({ status: c.status, pid: c.pid });
    },
    kill: (id) => {
      this.record('oci.kill', id);
      return Promise.resolve();
    },
    waitExit: (id, timeoutMs, signal) =>
      new Promise<ExitStatus>((resolve, reject) => {
        const c = this.containers.get(id);
        if (c?.exit) {
          resolve(c.exit);
          return;
        }
        const timer = setTimeout(() => reject(new PeapodError('DeadlineExceeded', 'wait timed out')), Math.min(timeoutMs, 2 ** 31 - 1));
        const onExit = (exit: ExitStatus): void => {
          clearTimeout(timer);
          resolve(exit);
        };
        this.exits.once(id, onExit);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          this.exits.off(id, onExit);
          reject(new PeapodError('Unavailable', 'aborted'));
        });
      }),
    stop: (id, graceMs) => {
      this.record('oci.stop', id, graceMs);
      this.exit(id, 137);
      const c = this.containers.get(id);
      return Promise.resolve(c?.exit ?? { exitCode: 137, finishedAt: this.clock.toISOString() });
    },
    remove: (id) => {
      this.record('oci.remove', id);
      this.containers.delete(id);
      return Promise.resolve();
    },
    execSync: (id): Promise<ExecResult> => {
      this.record('oci.execSync', id);
      return Promise.resolve({ exitCode: this.execExitCode, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), timedOut: false });
    },
    execCommand: (id, args) => ['runc', 'exec', id, ...args],
    list: () => Promise.resolve([...this.containers.keys()]),
  };

  readonly mounts = {
    overlay: (_lower: readonly string[], _upper: string, _work: string, target: string): Promise<void> => {
      this.record('mounts.overlay', target);
      this.mounted.add(target);
      return Promise.resolve();
    },
    unmount: (target: string): Promise<void> => {
      this.mounted.delete(target);
      return Promise.resolve();
    },
    mountOf: (): Promise<{ target: string; propagation: 'shared' | 'slave' | 'private' }> => Promise.resolve({ target: '/', propagation: 'shared' }),
  };

  readonly proc = {
    startTime: (pid: number): Promise<number | undefined> => Promise.resolve(pid),
    namespaces: (): Promise<Readonly<Record<string, number>>> => Promise.resolve({}),
  };

  /** The fake image's files, by path inside the rootfs (e.g. /etc/passwd). */
  readonly rootfsFiles = new Map<string, string>();

  readonly rootfs = {
    readFile: (_root: string, path: string): Promise<string | undefined> => Promise.resolve(this.rootfsFiles.get(path)),
  };

  /** The config of every image find() returns (a busybox-like shell image). */
  imageConfig: ImageRuntimeConfig = { cmd: ['sh'] };

  readonly images = {
    rootfsLayers: (): Promise<{ lowerDirs: readonly string[] }> => Promise.resolve({ lowerDirs: ['/fake/layer'] }),
    find: (ref: string): Promise<ImageRecord | undefined> => Promise.resolve(fakeImage(ref, this.imageConfig)),
  };
}

/** Any reference names an image here: one without layers whose ID is derived from the reference. */
export function fakeImage(ref: string, config: ImageRuntimeConfig = {}): ImageRecord {
  return {
    id: `sha256:${ref.length.toString(16).padStart(64, '0')}`,
    names: [ref],
    repoDigests: [],
    manifestDigest: '',
    os: 'linux',
    architecture: 'amd64',
    size: 0,
    layers: [],
    config,
    storedAt: '',
  };
}
