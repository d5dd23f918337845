// What every CLI verb needs: the resolved config, and a client to a daemon that is started on demand.
import { configToEnv, paths, resolveConfig, type ConfigOverrides, type PeapodConfig } from '../common/config.js';
import { ApiClient } from '../api/client.js';
import { socketAnswers } from '../api/socket-probe.js';
import { PeapodError } from '../common/errors.js';
import { DAEMON_MAIN, DAEMON_MALLOC_ENV, DAEMON_NODE_FLAGS } from './daemon-flags.js';
import { DAEMON_ALREADY_RUNNING_EXIT } from './exit-code.js';

/** How long the CLI waits for a daemon it started to answer. */
const DAEMON_START_TIMEOUT_MS = 15_000;
const DAEMON_POLL_MS = 20;

export interface GlobalFlags {
  root?: string;
  runRoot?: string;
  socket?: string;
  cgroupRoot?: string;
  bridge?: string;
  subnet?: string;
  serviceCidr?: string;
  manifestDir?: string;
  authFile?: string;
  criSocket?: string;
  streamingAddress?: string;
  kubeApiPort?: string;
  insecureRegistry?: string[];
}

export class CliContext {
  readonly config: PeapodConfig;
  private client: ApiClient | undefined;

  constructor(flags: GlobalFlags) {
    const overrides: ConfigOverrides = {
      root: flags.root,
      runRoot: flags.runRoot,
      socket: flags.socket,
      cgroupRoot: flags.cgroupRoot,
      bridge: flags.bridge,
      subnet: flags.subnet,
      serviceCidr: flags.serviceCidr,
      manifestDir: flags.manifestDir,
      authFile: flags.authFile,
      criSocket: flags.criSocket,
      streamingAddress: flags.streamingAddress,
      kubeApiPort: flags.kubeApiPort,
    };
    if (flags.insecureRegistry !== undefined && flags.insecureRegistry.length > 0) overrides.insecureRegistries = flags.insecureRegistry;
    this.config = resolveConfig(overrides);
  }

  /** A client to a running daemon, starting one in the background if none answers. */
  async api(): Promise<ApiClient> {
    if (this.client) return this.client;
    if (!(await socketAnswers(this.config.socket))) {
      // The socket is root's (0600) and the daemon needs root: say so rather than fail to start one.
      if (process.getuid !== undefined && process.getuid() !== 0) {
        throw new PeapodError('PermissionDenied', `permission denied: the peapod daemon's socket ${this.config.socket} is only open to root`, {
          hint: 'run peapod as root (e.g. with sudo)',
        });
      }
      await this.startDaemon();
    }
    this.client = new ApiClient(this.config.socket);
    return this.client;
  }

  private async startDaemon(): Promise<void> {
    // Loaded only when a daemon must be started: every other command is spared their load time.
    const [{ spawn }, { mkdir, open }] = await Promise.all([import('node:child_process'), import('node:fs/promises')]);
    const p = paths(this.config);
    await mkdir(this.config.runRoot, { recursive: true, mode: 0o700 });
    const log = await open(p.daemonLog, 'a', 0o600);
    const logStart = (await log.stat()).size;
    const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, DAEMON_MAIN], {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: { ...DAEMON_MALLOC_ENV, ...process.env, ...configToEnv(this.config) },
    });
    child.unref();
    await log.close();
    const deadline = Date.now() + DAEMON_START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (await socketAnswers(this.config.socket, 500)) return;
      // Another CLI won the race to start it: ours exited on the state lock, and theirs is as good as
      // ours once it answers. Any other exit is a failure to report now.
      if (child.exitCode !== null && child.exitCode !== DAEMON_ALREADY_RUNNING_EXIT) break;
      await new Promise((resolve) => setTimeout(resolve, DAEMON_POLL_MS));
    }
    if (await socketAnswers(this.config.socket, 500)) return;
    const reason = child.exitCode === null ? undefined : await daemonError(p.daemonLog, logStart);
    throw new PeapodError('Unavailable', `the peapod daemon did not start${reason === undefined ? '' : `: ${reason}`} (see ${p.daemonLog})`);
  }
}

/** The last line this start wrote to the daemon log (e.g. a missing cgroup controller), at most 500 chars. */
async function daemonError(logFile: string, from: number): Promise<string | undefined> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(logFile).then(
    (b) => b.subarray(from).toString('utf8'),
    () => '',
  );
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const last = lines.at(-1);
  return last === undefined ? undefined : last.slice(0, 500);
}
