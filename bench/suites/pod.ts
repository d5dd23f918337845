// Pod start (apply → both containers running) and teardown (delete → nothing left) of the 2-container
// benchmark pod: the floor, peapod's daemon side (the API request, no CLI), peapod through its CLI,
// podman, and `node -e 0` (what any Node CLI pays before its first line), each round in a new shuffled
// order so that no runtime always follows the same one.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../src/host/exec.js';
import { busyboxLayout } from '../../test/helpers/daemon.js';
import { randomSubnet } from '../../test/helpers/roots.js';
import { createFloor, type FloorPod } from '../floor/pod.js';
import { median, shuffled, timeIt, type BenchRow } from '../stats.js';
import type { Suite } from '../suite.js';
import { twoContainerPod } from './manifests.js';
import { startBenchDaemon } from './peapod.js';
import { preparePodman } from './podman.js';

type Sample =
  | 'floorStart'
  | 'floorTeardown'
  | 'monitoredStart'
  | 'monitoredTeardown'
  | 'apiStart'
  | 'apiTeardown'
  | 'start'
  | 'teardown'
  | 'podmanStart'
  | 'podmanTeardown'
  | 'node';

export const podSuite: Suite = async ({ runs, dir, log }) => {
  const manifest = join(dir, 'pod.yaml');
  await writeFile(manifest, twoContainerPod('bench'));
  const peapod = await startBenchDaemon();
  const floor = await createFloor(dir, randomSubnet());
  const monitored = await createFloor(dir, randomSubnet(), { monitor: true });
  const podman = await preparePodman(dir, await busyboxLayout(peapod.roots), log);
  const samples: Record<Sample, number[]> = {
    floorStart: [],
    floorTeardown: [],
    monitoredStart: [],
    monitoredTeardown: [],
    apiStart: [],
    apiTeardown: [],
    start: [],
    teardown: [],
    podmanStart: [],
    podmanTeardown: [],
    node: [],
  };
  const orders: string[][] = [];
  try {
    // A pod left by an interrupted earlier run would make `kube play` fail.
    if (podman) await podman.podman(['kube', 'down', manifest]).catch(() => undefined);
    for (let i = -1; i < runs; i++) {
      const keep = (list: Sample, ms: number): void => void (i >= 0 && samples[list].push(ms));
      let pod: FloorPod | undefined;
      const steps: Record<string, () => Promise<void>> = {
        floor: async () => {
          keep('floorStart', await timeIt(async () => (pod = await floor.start(i + 1))));
          await pod?.ready();
          keep('floorTeardown', await timeIt(() => pod?.teardown() ?? Promise.resolve()));
        },
        monitored: async () => {
          keep('monitoredStart', await timeIt(async () => (pod = await monitored.start(i + 1))));
          await pod?.ready();
          keep('monitoredTeardown', await timeIt(() => pod?.teardown() ?? Promise.resolve()));
        },
        api: async () => {
          keep('apiStart', await timeIt(() => peapod.apiApply(manifest)));
          keep('apiTeardown', await timeIt(() => peapod.apiDeletePod('bench')));
        },
        cli: async () => {
          keep('start', await timeIt(() => peapod.cli(['apply', '-f', manifest, '--wait'])));
          keep('teardown', await timeIt(() => peapod.cli(['delete', 'pod', 'bench'])));
        },
        node: async () => keep('node', await timeIt(() => run(process.execPath, ['-e', '0']))),
        ...(podman
          ? {
              podman: async () => {
                keep('podmanStart', await timeIt(() => podman.podman(['kube', 'play', '--quiet', manifest])));
                keep('podmanTeardown', await timeIt(() => podman.podman(['kube', 'down', manifest])));
              },
            }
          : {}),
      };
      const order = shuffled(Object.keys(steps));
      if (i >= 0) orders.push(order);
      for (const step of order) await steps[step]?.();
      log(`pod: round ${i + 2}/${runs + 1} (${order.join(', ')})`);
    }
  } catch (err) {
    log(`${err instanceof Error ? err.message : String(err)}`);
    throw err;
  } finally {
    await podman?.close();
    await floor.close();
    await monitored.close();
    await peapod.close();
  }
  return { rows: podRows(samples, runs, podman !== undefined), raw: { ...samples, orders } };
};

function podRows(samples: Record<Sample, number[]>, runs: number, withPodman: boolean): BenchRow[] {
  const m = (s: Sample): number => median(samples[s]);
  const floorRef = (s: Sample): Pick<BenchRow, 'reference' | 'referenceValue'> => ({ reference: 'floor (bench/floor)', referenceValue: m(s) });
  const podmanRef = (s: Sample, reference: string): Pick<BenchRow, 'reference' | 'referenceValue'> =>
    withPodman ? { reference, referenceValue: m(s) } : { reference: `${reference} (not installed)` };
  const nodeRef = { reference: '`node -e 0`', referenceValue: m('node') };
  const monitoredRef = (s: Sample): Pick<BenchRow, 'reference' | 'referenceValue'> => ({
    reference: 'floor with conmon (bench/floor, monitor)',
    referenceValue: m(s),
  });
  const START = 'pod start (→ 2 containers running)';
  const TEARDOWN = 'pod teardown (→ nothing left)';
  return [
    { name: `${START}, daemon side (API request)`, unit: 'ms', value: m('apiStart'), samples: runs, ...floorRef('floorStart'), goal: { maxRatio: 1.25 } },
    {
      name: `${TEARDOWN}, daemon side (API request)`,
      unit: 'ms',
      value: m('apiTeardown'),
      samples: runs,
      ...floorRef('floorTeardown'),
      goal: { maxRatio: 1.25 },
    },
    // What peapod costs above a runc-and-conmon floor: its own records, kubelet logic and API.
    {
      name: `${START}, daemon side (API request)`,
      unit: 'ms',
      value: m('apiStart'),
      samples: runs,
      ...monitoredRef('monitoredStart'),
      goal: { maxRatio: 1.25 },
    },
    {
      name: `${TEARDOWN}, daemon side (API request)`,
      unit: 'ms',
      value: m('apiTeardown'),
      samples: runs,
      ...monitoredRef('monitoredTeardown'),
      goal: { maxRatio: 1.25 },
    },
    { name: `${START}, CLI (apply -f --wait)`, unit: 'ms', value: m('start'), samples: runs, ...floorRef('floorStart') },
    {
      name: `${START}, CLI (apply -f --wait)`,
      unit: 'ms',
      value: m('start'),
      samples: runs,
      ...podmanRef('podmanStart', 'podman kube play'),
      goal: { maxRatio: 0.5 },
    },
    { name: `${TEARDOWN}, CLI (delete pod)`, unit: 'ms', value: m('teardown'), samples: runs, ...floorRef('floorTeardown') },
    { name: `${TEARDOWN}, CLI (delete pod)`, unit: 'ms', value: m('teardown'), samples: runs, ...podmanRef('podmanTeardown', 'podman kube down') },
    // CLI overhead: the CLI figure minus the daemon-side one, against what Node itself costs to start.
    { name: 'CLI overhead, apply (CLI − daemon side)', unit: 'ms', value: m('start') - m('apiStart'), samples: runs, ...nodeRef, goal: { maxAbove: 20 } },
    {
      name: 'CLI overhead, delete (CLI − daemon side)',
      unit: 'ms',
      value: m('teardown') - m('apiTeardown'),
      samples: runs,
      ...nodeRef,
      goal: { maxAbove: 20 },
    },
  ];
}
