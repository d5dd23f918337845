// Pod start (apply → both containers running) and teardown (delete → nothing left) of the 2-container
// benchmark pod, rounds interleaved between the floor, peapod and podman so all three see the same machine.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { busyboxLayout } from '../../test/helpers/daemon.js';
import { randomSubnet } from '../../test/helpers/roots.js';
import { createFloor } from '../floor/pod.js';
import { median, timeIt, type BenchRow } from '../stats.js';
import type { Suite } from '../suite.js';
import { twoContainerPod } from './manifests.js';
import { startBenchDaemon } from './peapod.js';
import { preparePodman } from './podman.js';

export const podSuite: Suite = async ({ runs, dir, log }) => {
  const manifest = join(dir, 'pod.yaml');
  await writeFile(manifest, twoContainerPod('bench'));
  const peapod = await startBenchDaemon();
  const floor = await createFloor(dir, randomSubnet());
  const podman = await preparePodman(dir, await busyboxLayout(peapod.roots), log);
  const samples = { floorStart: [] as number[], floorTeardown: [] as number[], start: [] as number[], teardown: [] as number[], podmanStart: [] as number[], podmanTeardown: [] as number[] };
  try {
    // A pod left by an interrupted earlier run would make `kube play` fail.
    if (podman) await podman.podman(['kube', 'down', manifest]).catch(() => undefined);
    for (let i = -1; i < runs; i++) {
      const keep = (list: number[], ms: number): void => void (i >= 0 && list.push(ms));
      let pod: Awaited<ReturnType<typeof floor.start>> | undefined;
      keep(samples.floorStart, await timeIt(async () => (pod = await floor.start(i + 1))));
      keep(samples.floorTeardown, await timeIt(() => pod?.teardown() ?? Promise.resolve()));
      keep(samples.start, await timeIt(() => peapod.cli(['apply', '-f', manifest, '--wait'])));
      keep(samples.teardown, await timeIt(() => peapod.cli(['delete', 'pod', 'bench'])));
      if (podman) {
        keep(samples.podmanStart, await timeIt(() => podman.podman(['kube', 'play', '--quiet', manifest])));
        keep(samples.podmanTeardown, await timeIt(() => podman.podman(['kube', 'down', manifest])));
      }
      log(`pod: round ${i + 2}/${runs + 1}`);
    }
  } catch (err) {
    log(`${err instanceof Error ? err.message : String(err)}`);
    throw err;
  } finally {
    await podman?.close();
    await floor.close();
    await peapod.close();
  }
  const start = median(samples.start);
  const teardown = median(samples.teardown);
  const podmanRef = (values: number[], reference: string): Pick<BenchRow, 'reference' | 'referenceValue'> =>
    podman ? { reference, referenceValue: median(values) } : { reference: `${reference} (not installed)` };
  const rows: BenchRow[] = [
    { name: 'pod start (apply --wait → 2 containers running)', unit: 'ms', value: start, samples: runs, reference: 'floor (bench/floor)', referenceValue: median(samples.floorStart), goal: { maxRatio: 1.5 } },
    { name: 'pod start (apply --wait → 2 containers running)', unit: 'ms', value: start, samples: runs, ...podmanRef(samples.podmanStart, 'podman kube play'), goal: { maxRatio: 0.5 } },
    { name: 'pod teardown (delete → nothing left)', unit: 'ms', value: teardown, samples: runs, reference: 'floor (bench/floor)', referenceValue: median(samples.floorTeardown), goal: { maxRatio: 1.5 } },
    { name: 'pod teardown (delete → nothing left)', unit: 'ms', value: teardown, samples: runs, ...podmanRef(samples.podmanTeardown, 'podman kube down') },
  ];
  return { rows, raw: samples };
};
