// bench/cri: median latency of each CRI lifecycle call (RunPodSandbox, CreateContainer, StartContainer,
// StopContainer, StopPodSandbox, RemovePodSandbox) through the gRPC client against a peapod daemon on
// isolated roots. The containerd side (a private containerd with its own root, state, socket and CRI
// config) is not wired up yet: its CRI plugin needs a pause image, which has to be built offline first.
import { median, timeIt } from '../stats.js';
import { assertNoLeaks } from '../../test/helpers/leaks.js';
import { containerConfig, sandboxConfig, startCriTest } from '../../test/cri/harness.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 10);
const STEPS = ['RunPodSandbox', 'CreateContainer', 'StartContainer', 'StopContainer', 'StopPodSandbox', 'RemovePodSandbox'] as const;
type Step = (typeof STEPS)[number];

async function main(): Promise<void> {
  const cleanups: (() => Promise<void>)[] = [];
  const cri = await startCriTest({ after: (fn) => cleanups.push(fn) });
  const times = new Map<Step, number[]>(STEPS.map((s) => [s, []]));
  const record = async (step: Step, fn: () => Promise<unknown>): Promise<void> => {
    times.get(step)?.push(await timeIt(fn));
  };
  try {
    for (let i = 0; i < RUNS; i++) {
      const config = sandboxConfig(cri.roots, `bench-${i}`);
      let podId = '';
      let id = '';
      await record('RunPodSandbox', async () => {
        podId = (await cri.client.runtime<{ pod_sandbox_id: string }>('RunPodSandbox', { config })).pod_sandbox_id;
      });
      await record('CreateContainer', async () => {
        id = (await cri.client.runtime<{ container_id: string }>('CreateContainer', { pod_sandbox_id: podId, config: containerConfig('c', ['sleep', '3600']), sandbox_config: config })).container_id;
      });
      await record('StartContainer', () => cri.client.runtime('StartContainer', { container_id: id }));
      await record('StopContainer', () => cri.client.runtime('StopContainer', { container_id: id, timeout: 0 }));
      await record('StopPodSandbox', () => cri.client.runtime('StopPodSandbox', { pod_sandbox_id: podId }));
      await record('RemovePodSandbox', () => cri.client.runtime('RemovePodSandbox', { pod_sandbox_id: podId }));
    }
    await cri.daemon.stop();
    await assertNoLeaks(cri.roots.config);
  } finally {
    for (const fn of cleanups.reverse()) await fn();
  }
  process.stdout.write(`| CRI call (peapod, median of ${RUNS}) | ms |\n|---|---|\n`);
  for (const step of STEPS) process.stdout.write(`| ${step} | ${median(times.get(step) ?? []).toFixed(1)} |\n`);
}

await main();
