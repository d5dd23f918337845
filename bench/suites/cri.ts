// The CRI suite: median latency of each CRI lifecycle call (RunPodSandbox, CreateContainer, StartContainer,
// StopContainer, StopPodSandbox, RemovePodSandbox) through the same gRPC client and the same configs,
// against a peapod daemon and a private containerd (Debian's, CRI plugin, runc v2, cgroupfs) in one run,
// rounds interleaved so both see the same machine. Image cached on both; the container is busybox sleep.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/host/exec.js';
import { median, timeIt, type BenchRow } from '../stats.js';
import type { Suite } from '../suite.js';
import { assertNoLeaks } from '../../test/helpers/leaks.js';
import { containerConfig, sandboxConfig, startCriTest } from '../../test/cri/harness.js';
import type { CriClient, Message } from '../../test/cri/client.js';
import { startContainerd, type Containerd } from './containerd.js';

const STEPS = ['RunPodSandbox', 'CreateContainer', 'StartContainer', 'StopContainer', 'StopPodSandbox', 'RemovePodSandbox'] as const;
type Step = (typeof STEPS)[number];
type Times = Map<Step, number[]>;

/** One pod lifecycle, each call timed on its own. */
async function lifecycle(client: CriClient, sandbox: Message, times: Times): Promise<void> {
  const record = async <T>(step: Step, fn: () => Promise<T>): Promise<T> => {
    let out: T | undefined;
    times.get(step)?.push(await timeIt(async () => (out = await fn())));
    return out as T;
  };
  const { pod_sandbox_id: podId } = await record('RunPodSandbox', () => client.runtime<{ pod_sandbox_id: string }>('RunPodSandbox', { config: sandbox }));
  const { container_id: id } = await record('CreateContainer', () =>
    client.runtime<{ container_id: string }>('CreateContainer', {
      pod_sandbox_id: podId,
      config: containerConfig('c', ['sleep', '3600']),
      sandbox_config: sandbox,
    }),
  );
  await record('StartContainer', () => client.runtime('StartContainer', { container_id: id }));
  await record('StopContainer', () => client.runtime('StopContainer', { container_id: id, timeout: 0 }));
  await record('StopPodSandbox', () => client.runtime('StopPodSandbox', { pod_sandbox_id: podId }));
  await record('RemovePodSandbox', () => client.runtime('RemovePodSandbox', { pod_sandbox_id: podId }));
}

function newTimes(): Times {
  return new Map(STEPS.map((s) => [s, []]));
}

export const criSuite: Suite = async ({ runs, log }) => {
  const cleanups: (() => Promise<void>)[] = [];
  const peapodTimes = newTimes();
  const containerdTimes = newTimes();
  let containerd: Containerd | undefined;
  const work = await mkdtemp(join(tmpdir(), 'peapod-bench-cri-'));
  try {
    const cri = await startCriTest({ after: (fn) => cleanups.push(fn) });
    const busyboxTar = join(work, 'busybox.tar');
    await run(process.execPath, [fileURLToPath(new URL('../../scripts/build-busybox-image.js', import.meta.url)), '--tar', busyboxTar], { timeoutMs: 120_000 });
    containerd = await startContainerd(busyboxTar).catch((err: unknown) => {
      log(`cri: containerd side skipped: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      return undefined;
    });
    // One unmeasured round each: first-use costs (image unpack, CNI conf load) are not per-pod costs.
    for (let i = -1; i < runs; i++) {
      const peapodSandbox = sandboxConfig(cri.roots, `bench-${i + 1}`);
      await lifecycle(cri.client, peapodSandbox, i < 0 ? newTimes() : peapodTimes);
      if (containerd) {
        const sandbox = sandboxConfig(cri.roots, `bench-${i + 1}`);
        const uid = (sandbox['metadata'] as { uid: string }).uid;
        const linux = { ...(sandbox['linux'] as Message), cgroup_parent: containerd.cgroupParent(uid) };
        await lifecycle(containerd.client, { ...sandbox, linux, log_directory: join(containerd.dir, 'logs', uid) }, i < 0 ? newTimes() : containerdTimes);
      }
    }
    cri.client.close();
    await cri.daemon.stop();
    await assertNoLeaks(cri.roots.config);
  } finally {
    await containerd?.stop();
    for (const fn of cleanups.reverse()) await fn();
    await rm(work, { recursive: true, force: true });
  }
  const rows: BenchRow[] = STEPS.map((step) => ({
    name: `CRI ${step}`,
    unit: 'ms',
    value: median(peapodTimes.get(step) ?? []),
    ...(containerd ? { reference: 'containerd 1.6 (CRI, runc v2, cgroupfs)', referenceValue: median(containerdTimes.get(step) ?? []) } : {}),
    samples: runs,
    goal: { maxRatio: 1 },
  }));
  const total = (times: Times): number => STEPS.reduce((sum, step) => sum + median(times.get(step) ?? []), 0);
  rows.push({
    name: 'CRI whole pod lifecycle (sum of medians)',
    unit: 'ms',
    value: total(peapodTimes),
    ...(containerd ? { reference: 'containerd', referenceValue: total(containerdTimes) } : {}),
    goal: { maxRatio: 0.5 },
  });
  return { rows, raw: { peapod: Object.fromEntries(peapodTimes), containerd: Object.fromEntries(containerdTimes) } };
};
