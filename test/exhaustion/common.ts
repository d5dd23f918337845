// Shared by the exhaustion tests: one-container busybox pods, their status and events read through the
// CLI, and what pod sandboxes leave on the host, counted kind by kind.
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { paths, type PeapodConfig } from '../../src/common/config.js';
import { runUnchecked } from '../../src/host/exec.js';
import { cgroupMountPoints, dirsBelow } from '../helpers/cgroupfs.js';
import { runCli } from '../helpers/cli.js';
import type { TestRoots } from '../helpers/roots.js';
import { waitFor } from '../helpers/wait.js';

/** How long a pod may take to run, or to show the state a test waits for. */
export const SETTLE_MS = 60_000;

export interface ContainerView {
  readonly name: string;
  readonly state: { running?: unknown; waiting?: { reason?: string; message?: string }; terminated?: unknown };
}

export interface PodView {
  readonly status?: { phase?: string; podIP?: string; containerStatuses?: ContainerView[] };
}

/** A BestEffort pod with one busybox container that sleeps until told to stop. */
export function busyboxPod(name: string, image = 'docker.io/library/busybox:latest'): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: main
      image: ${image}
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait $!; done"]
`;
}

export async function applyManifest(roots: TestRoots, env: NodeJS.ProcessEnv, name: string, manifest: string): Promise<void> {
  const file = join(roots.dir, `${name}.yaml`);
  await writeFile(file, manifest);
  const r = await runCli(env, ['apply', '-f', file]);
  assert.equal(r.code, 0, `peapod apply -f ${name}.yaml: ${r.stderr}`);
}

export async function getPod(env: NodeJS.ProcessEnv, name: string): Promise<PodView | undefined> {
  const r = await runCli(env, ['get', 'pod', name, '-o', 'json']);
  if (r.code !== 0) {
    if (/not found/i.test(r.stderr)) return undefined;
    throw new Error(`peapod get pod ${name}: ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as PodView;
}

export function isRunning(pod: PodView | undefined): boolean {
  const statuses = pod?.status?.containerStatuses ?? [];
  return pod?.status?.phase === 'Running' && statuses.length > 0 && statuses.every((c) => c.state.running !== undefined);
}

export async function waitRunning(env: NodeJS.ProcessEnv, name: string, description = `pod ${name} to run`): Promise<PodView> {
  return waitFor(
    async () => {
      const pod = await getPod(env, name);
      return isRunning(pod) ? pod : undefined;
    },
    { timeoutMs: SETTLE_MS, intervalMs: 200, description },
  );
}

export async function describe(env: NodeJS.ProcessEnv, name: string): Promise<string> {
  const r = await runCli(env, ['describe', 'pod', name]);
  assert.equal(r.code, 0, `peapod describe pod ${name}: ${r.stderr}`);
  return r.stdout;
}

/** Waits until `describe` matches `pattern` (an event or a waiting reason); returns the text. */
export async function waitDescribed(env: NodeJS.ProcessEnv, name: string, pattern: RegExp, description: string): Promise<string> {
  let last = '';
  try {
    return await waitFor(
      async () => {
        last = await describe(env, name);
        return pattern.test(last) ? last : undefined;
      },
      { timeoutMs: SETTLE_MS, intervalMs: 250, description },
    );
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nlast describe:\n${last}`);
  }
}

/** Deletes pods and checks the CLI came back within `limitMs`. */
export async function deletePods(env: NodeJS.ProcessEnv, names: readonly string[], limitMs = SETTLE_MS): Promise<number> {
  const started = Date.now();
  const r = await runCli(env, ['delete', 'pod', ...names], { timeoutMs: limitMs });
  const took = Date.now() - started;
  assert.equal(r.code, 0, `peapod delete pod ${names.join(' ')} (${took} ms): ${r.stderr}`);
  return took;
}

/** What the sandboxes of the test's roots hold on the host, one list per kind of object. */
export interface SandboxFootprint {
  readonly netnsPins: string[];
  readonly veths: string[];
  readonly ipLeases: string[];
  /** pod<uid> cgroup directories, by name, in any hierarchy. */
  readonly podCgroups: string[];
  readonly sandboxRecords: string[];
  /** runc's state directories: one per pause container and one per app container. */
  readonly runcState: string[];
}

export async function sandboxFootprint(config: PeapodConfig): Promise<SandboxFootprint> {
  const p = paths(config);
  const list = (dir: string): Promise<string[]> => readdir(dir).catch(() => []);
  const links = await runUnchecked('ip', ['-j', 'link', 'show', 'master', config.bridge], { timeoutMs: 5000 });
  const veths = links.code === 0 && links.stdout.trim() !== '' ? (JSON.parse(links.stdout) as { ifname?: string }[]).map((l) => l.ifname ?? '?') : [];
  const leaseDir = join(paths(config).cniNetworks, `peapod-${config.bridge}`);
  const podCgroups = new Set<string>();
  for (const mount of await cgroupMountPoints()) {
    for (const dir of await dirsBelow(join(mount, config.cgroupRoot))) if (/^pod[0-9a-f-]+$/.test(basename(dir))) podCgroups.add(basename(dir));
  }
  return {
    netnsPins: await list(p.netns),
    veths,
    ipLeases: (await list(leaseDir)).filter((n) => /^\d+\.\d+\.\d+\.\d+$/.test(n)),
    podCgroups: [...podCgroups].sort(),
    sandboxRecords: await list(paths(config).sandboxRecords),
    runcState: await list(p.runcRoot),
  };
}

/**
 * Waits for a moment when the host holds exactly `sandboxes` sandboxes' worth of objects of every kind
 * (and runc state for them and `containers` app containers): a failing pod retries its sandbox every few
 * seconds, so one look may catch an attempt under way, but whatever a failed attempt left behind stays,
 * and then no such moment comes.
 */
export async function waitFootprint(config: PeapodConfig, sandboxes: number, containers: number, description: string): Promise<SandboxFootprint> {
  let last: SandboxFootprint | undefined;
  const expected = (kind: string): number => (kind === 'runcState' ? sandboxes + containers : sandboxes);
  try {
    return await waitFor(
      async () => {
        last = await sandboxFootprint(config);
        return Object.entries(last).every(([kind, items]: [string, string[]]) => items.length === expected(kind)) ? last : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250, description },
    );
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nlast seen: ${JSON.stringify(last, null, 2)}`);
  }
}
