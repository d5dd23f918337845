// The subset of the OCI runtime spec 1.0.2 (config.md, config-linux.md) that peapod writes, typed so a
// misspelt field is a compile error. Field names and nesting are the spec's JSON names.

export const OCI_VERSION = '1.0.2';

export interface Spec {
  ociVersion: string;
  process: Process;
  root: Root;
  hostname?: string;
  mounts: SpecMount[];
  annotations?: Record<string, string>;
  linux: Linux;
}

export interface Process {
  terminal: boolean;
  user: User;
  args: string[];
  env: string[];
  cwd: string;
  capabilities: Capabilities;
  rlimits: Rlimit[];
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
}

export interface User {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

export interface Capabilities {
  bounding: string[];
  effective: string[];
  inheritable: string[];
  permitted: string[];
  ambient: string[];
}

export interface Rlimit {
  type: string;
  hard: number;
  soft: number;
}

export interface Root {
  path: string;
  readonly: boolean;
}

export interface SpecMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface LinuxNamespace {
  type: NamespaceType;
  path?: string;
}

export interface DeviceCgroup {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access: string;
}

export interface Resources {
  devices: DeviceCgroup[];
  cpu?: { shares?: number; quota?: number; period?: number };
  memory?: { limit: number };
  pids?: { limit: number };
  unified?: Record<string, string>;
}

export type SeccompAction =
  'SCMP_ACT_KILL' | 'SCMP_ACT_KILL_PROCESS' | 'SCMP_ACT_TRAP' | 'SCMP_ACT_ERRNO' | 'SCMP_ACT_TRACE' | 'SCMP_ACT_ALLOW' | 'SCMP_ACT_LOG';
export type SeccompOperator = 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';

export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: SeccompOperator;
}

export interface SeccompSyscall {
  names: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: SeccompArg[];
}

export interface Seccomp {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: string[];
  syscalls?: SeccompSyscall[];
}

export interface Linux {
  namespaces: LinuxNamespace[];
  cgroupsPath: string;
  resources: Resources;
  sysctl?: Record<string, string>;
  seccomp?: Seccomp;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  /** runc makes the whole tree rslave by default; rshared keeps the host's peer groups (bidirectional volumes). */
  rootfsPropagation?: 'rprivate' | 'rslave' | 'rshared';
}
