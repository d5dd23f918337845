// What the workload tests share: manifests, and reading pods, claims and volume directories through the CLI.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { paths, type PeapodConfig } from '../../src/common/config.js';
import { runCli } from '../helpers/cli.js';

export const WAIT_MS = 90_000;

export interface PodJson {
  readonly metadata: { readonly name: string; readonly uid?: string; readonly labels?: Record<string, string> };
  readonly spec: { readonly hostname?: string; readonly subdomain?: string; readonly nodeName?: string };
  readonly status?: { readonly phase?: string; readonly conditions?: { type: string; status: string }[] };
}

export const isReady = (p: PodJson | undefined): boolean =>
  p?.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

export interface StatefulSetOptions {
  readonly replicas: number;
  readonly policy?: 'OrderedReady' | 'Parallel';
  readonly readyAfter?: string;
  readonly name?: string;
  /** A value in the template's env: changing it is a new revision. */
  readonly version?: string;
  readonly partition?: number;
  readonly whenDeleted?: 'Retain' | 'Delete';
}

export function statefulSetManifest(options: StatefulSetOptions): string {
  const name = options.name ?? 'web';
  const retention = options.whenDeleted ? `\n  persistentVolumeClaimRetentionPolicy: { whenDeleted: ${options.whenDeleted} }` : '';
  const strategy = options.partition !== undefined ? `\n  updateStrategy: { type: RollingUpdate, rollingUpdate: { partition: ${options.partition} } }` : '';
  return `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
spec:
  serviceName: ${name}
  replicas: ${options.replicas}
  podManagementPolicy: ${options.policy ?? 'OrderedReady'}${retention}${strategy}
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: main
          image: docker.io/library/busybox:latest
          imagePullPolicy: IfNotPresent
          env: [{ name: VERSION, value: "${options.version ?? '1'}" }]
          command: ["sh", "-c", "trap 'exit 0' TERM; ${options.readyAfter ?? 'sleep 1'}; touch /tmp/ready; while true; do sleep 1 & wait $!; done"]
          readinessProbe:
            exec: { command: ["test", "-f", "/tmp/ready"] }
            periodSeconds: 1
          volumeMounts: [{ name: data, mountPath: /data }]
  volumeClaimTemplates:
    - metadata: { name: data }
      spec:
        accessModes: [ReadWriteOnce]
        resources: { requests: { storage: 1Gi } }
`;
}

export async function listPods(env: NodeJS.ProcessEnv): Promise<Map<string, PodJson>> {
  const r = await runCli(env, ['get', 'pods', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const items = (JSON.parse(r.stdout) as { items: PodJson[] }).items;
  return new Map(items.map((p) => [p.metadata.name, p]));
}

export async function claimNames(env: NodeJS.ProcessEnv): Promise<string[]> {
  const r = await runCli(env, ['get', 'pvc', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { items: { metadata: { name: string } }[] }).items.map((c) => c.metadata.name).sort();
}

export async function volumeDirectories(config: PeapodConfig): Promise<string[]> {
  return readdir(paths(config).localPath).catch(() => []);
}

export async function cli(env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
  const r = await runCli(env, args);
  assert.equal(r.code, 0, `peapod ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export function daemonSetManifest(options: { name: string; version: string; nodeSelector?: Record<string, string> }): string {
  const selector = Object.entries(options.nodeSelector ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${options.name}
spec:
  selector:
    matchLabels: { app: ${options.name} }
  template:
    metadata:
      labels: { app: ${options.name} }
    spec:
      terminationGracePeriodSeconds: 1
      ${selector ? `nodeSelector: { ${selector} }` : ''}
      containers:
        - name: agent
          image: docker.io/library/busybox:latest
          imagePullPolicy: IfNotPresent
          env: [{ name: VERSION, value: "${options.version}" }]
          command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]
`;
}
