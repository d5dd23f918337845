// The low-level runtime contract: runc driven through one conmon per container. conmon owns the
// container's stdio, writes the CRI-format log and records the exit code, so containers outlive the daemon.
// A pod's pause process is the exception: `run` starts it with no monitor (unmonitored.ts says why).

export interface CreateOptions {
  /** Bundle directory holding config.json (rootfs path inside config). */
  readonly bundle: string;
  /** CRI-format log file conmon writes. */
  readonly logPath: string;
  /** Keep stdin open for attach (`kubectl run -i` style); default false. */
  readonly stdin?: boolean;
  /** With stdin: an attach client closing its stdin closes the container's; otherwise it stays open for the next attach. */
  readonly stdinOnce?: boolean;
  readonly terminal?: boolean;
  readonly signal?: AbortSignal;
}

/** The exit code of a container whose exit nobody recorded (CRI-O's, runtime_oci.go UpdateContainerStatus). */
export const UNKNOWN_EXIT_CODE = 255;

export interface ExitStatus {
  readonly exitCode: number;
  /** Signal number when killed by one (exitCode is then 128 + signal). */
  readonly signal?: number;
  readonly finishedAt: string;
  /**
   * True when the cgroup's memory controller recorded an OOM kill for this container. The OCI runtime
   * sets it only from conmon's `oom` marker file; otherwise it is left for the runtime layer (cgroup counter).
   */
  readonly oomKilled?: boolean;
}

export type ContainerRuntimeState =
  | { readonly status: 'created'; readonly pid: number }
  | { readonly status: 'running'; readonly pid: number; readonly startedAt?: string }
  | { readonly status: 'paused'; readonly pid: number }
  | { readonly status: 'stopped'; readonly exit?: ExitStatus }
  | { readonly status: 'unknown' };

export interface ExecResult {
  readonly exitCode: number;
  /** Bytes as the command wrote them: binary output must survive (CRI ExecSync returns bytes). */
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  /** The deadline killed the command (exitCode is then 137); output is what it wrote until then. */
  readonly timedOut: boolean;
}

/** A container run with no monitor (`OciRuntime.run`). */
export interface RunOptions {
  readonly bundle: string;
  /** Where init's stdout and stderr (and runc's error) go. */
  readonly outputPath: string;
}

export interface OciRuntime {
  /**
   * `runc run --detach` with no monitor: no CRI log, no exit code (255 once it has exited), its exit seen in
   * /proc. For a pod's pause process, whose output and exit code mean nothing (host/oci-runtime/unmonitored.ts).
   */
  run(id: string, options: RunOptions): Promise<{ pid: number }>;
  /** conmon + `runc create`: the container exists with its init process waiting; returns that PID. */
  create(id: string, options: CreateOptions): Promise<{ pid: number; conmonPid: number }>;
  start(id: string, signal?: AbortSignal): Promise<void>;
  /** runc's view combined with conmon's exit file; 'unknown' is never silently treated as stopped. */
  state(id: string): Promise<ContainerRuntimeState | undefined>;
  kill(id: string, signal: NodeJS.Signals, all?: boolean): Promise<void>;
  /** Resolves when the container has exited (conmon's exit file appears), or rejects after timeoutMs. */
  waitExit(id: string, timeoutMs: number, signal?: AbortSignal): Promise<ExitStatus>;
  /** SIGTERM (or stopSignal), wait up to gracePeriodMs, then SIGKILL; resolves with the exit status. */
  stop(id: string, gracePeriodMs: number, stopSignal?: NodeJS.Signals): Promise<ExitStatus>;
  /** `runc delete` plus conmon's files; deleting what is gone succeeds. */
  remove(id: string): Promise<void>;
  execSync(id: string, args: readonly string[], options: { timeoutMs: number; env?: readonly string[]; cwd?: string }): Promise<ExecResult>;
  /** The argv (runc and its flags) a client runs itself for an interactive exec with a real TTY. */
  execCommand(id: string, args: readonly string[], options: { tty: boolean; interactive: boolean; env?: readonly string[]; cwd?: string }): readonly string[];
  /** IDs runc knows under our root. */
  list(): Promise<string[]>;
}

export interface OciRuntimeOptions {
  readonly runtimePath: string;
  readonly conmonPath: string;
  /** <runRoot>/runc */
  readonly runcRoot: string;
  /** <runRoot>/conmon: one persist dir per container. */
  readonly stateDir: string;
  /** <runRoot>/exits */
  readonly exitDir: string;
  /**
   * Puts a freshly spawned conmon into its cgroup before it forks runc (CRI-O's conmon_cgroup). Never
   * the pod's cgroup: a monitor lingering there (as a zombie until PID 1 reaps it) stalls the pod's teardown.
   * Without it conmon stays in the daemon's cgroup.
   */
  readonly placeConmon?: (pid: number) => Promise<void>;
}
