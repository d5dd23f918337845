// A minimal CreateContainer request for unit tests: no command, no mounts, unconfined, as a front would
// send for a bare container; tests override what they exercise.
import type { ContainerRequest } from '../types.js';

export function containerRequest(name: string, extra: Partial<ContainerRequest> = {}): ContainerRequest {
  return {
    name,
    attempt: 0,
    image: 'busybox',
    command: [],
    args: [],
    envs: [],
    workingDir: '',
    mounts: [],
    resources: {},
    oomScoreAdj: 0,
    security: {
      user: { supplementalGroups: [] },
      privileged: false,
      capabilitiesAdd: [],
      capabilitiesDrop: [],
      readOnlyRootfs: false,
      noNewPrivileges: false,
      seccomp: { kind: 'unconfined' },
      procMount: 'Default',
    },
    tty: false,
    stdin: false,
    logPath: `${name}/0.log`,
    labels: {},
    annotations: {},
    ...extra,
  };
}
