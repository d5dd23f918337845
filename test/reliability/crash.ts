// The crash-injection scenario shared by the discovery run and the kill runs: a 2-container pod with
// an emptyDir applied, one container made to crash and restarted by the kubelet logic, then the pod
// deleted. Each phase is one user action and the condition that says it is over.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { paths } from '../../src/common/config.js';
import { runUnchecked } from '../../src/host/exec.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import type { TestRoots } from '../helpers/roots.js';

export const POD = 'crash';

export const MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: ${POD}
spec:
  terminationGracePeriodSeconds: 2
  volumes:
    - name: data
      emptyDir: {}
  containers:
    - name: steady
      image: docker.io/library/busybox:latest
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]
      volumeMounts: [{ name: data, mountPath: /data }]
    - name: crasher
      image: docker.io/library/busybox:latest
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "trap 'exit 0' TERM; while [ ! -f /data/crash ]; do sleep 0.2 & wait $!; done; rm /data/crash; exit 3"]
      volumeMounts: [{ name: data, mountPath: /data }]
`;

export const PHASES = ['apply', 'restart', 'delete'] as const;
export type Phase = (typeof PHASES)[number];

export interface ContainerStatus {
  readonly name: string;
  readonly containerID?: string;
  readonly restartCount: number;
  readonly ready: boolean;
  readonly state: { running?: unknown; waiting?: { reason?: string }; terminated?: unknown };
}

export interface PodView {
  readonly status?: { phase?: string; containerStatuses?: ContainerStatus[] };
}

export async function getPod(env: NodeJS.ProcessEnv): Promise<PodView | undefined> {
  const r = await runCli(env, ['get', 'pod', POD, '-o', 'json']);
  if (r.code !== 0) {
    if (/not found/i.test(r.stderr)) return undefined;
    throw new Error(`get pod: ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as PodView;
}

export function containerStatus(pod: PodView | undefined, name: string): ContainerStatus | undefined {
  return pod?.status?.containerStatuses?.find((c) => c.name === name);
}

/** Both containers running and ready: the pod is complete. */
export function complete(pod: PodView | undefined): boolean {
  const statuses = pod?.status?.containerStatuses ?? [];
  return pod?.status?.phase === 'Running' && statuses.length === 2 && statuses.every((c) => c.state.running !== undefined && c.ready);
}

/** Starts the phase's user action; the CLI's own result (it may fail when the daemon dies under it). */
export async function startPhase(phase: Phase, roots: TestRoots): Promise<CliResult> {
  const env = roots.env();
  switch (phase) {
    case 'apply':
      return runCli(env, ['apply', '-f', join(roots.dir, 'crash.yaml'), '--wait', '--timeout', '30']);
    case 'restart':
      return runCli(env, ['exec', POD, '-c', 'steady', '--', 'touch', '/data/crash']);
    case 'delete':
      return runCli(env, ['delete', 'pod', POD]);
  }
}

/** True once the phase's effect is complete (as seen through a live daemon). */
export async function phaseDone(phase: Phase, env: NodeJS.ProcessEnv): Promise<boolean> {
  const pod = await getPod(env);
  switch (phase) {
    case 'apply':
      return complete(pod);
    case 'restart':
      return complete(pod) && containerStatus(pod, 'crasher')?.restartCount === 1;
    case 'delete':
      return pod === undefined;
  }
}

/** runc's view of what runs right now: container ID → PID, for containers in state running. */
export async function runningContainers(roots: TestRoots): Promise<Map<string, number>> {
  const r = await runUnchecked('runc', ['--root', paths(roots.config).runcRoot, 'list', '--format', 'json']);
  const list =
    r.code === 0 && r.stdout.trim() !== '' && r.stdout.trim() !== 'null' ? (JSON.parse(r.stdout) as { id: string; pid: number; status: string }[]) : [];
  return new Map(list.filter((c) => c.status === 'running').map((c) => [c.id, c.pid]));
}

export async function readTrace(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
}
