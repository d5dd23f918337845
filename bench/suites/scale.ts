// Many pods on one daemon: 10 pods in one apply; 100 pods in one apply and their delete against the
// floor's 100 pods started (as many at once as the daemon allows) and torn down, bare and with conmon; with the 100 pods running,
// `get pods` and `exec` through the CLI and on the daemon side (the API request, no CLI) against
// `node -e 0`; the daemon's RSS idle and loaded; and the memory each pod adds, against podman at the
// same pod count.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { run } from '../../src/host/exec.js';
import type { ExecPlan } from '../../src/api/routes/pods.js';
import { busyboxLayout } from '../../test/helpers/daemon.js';
import { randomSubnet } from '../../test/helpers/roots.js';
import { createFloor } from '../floor/pod.js';
import { median, shuffled, timeIt, type BenchRow } from '../stats.js';
import type { Suite, SuiteOptions } from '../suite.js';
import { manyPods } from './manifests.js';
import { helperPssMb, rssMb, spawnerRssMb, steadyRssMb } from './memory.js';
import { startBenchDaemon, type BenchDaemon } from './peapod.js';
import { preparePodman } from './podman.js';

const MANY = 100;
const FEW = 10;
/** Memory per pod is compared at one pod count on both sides: PSS shares pages among more pods at a higher count. */
const MEMORY_PODS = FEW;
/** Lets a daemon's heap settle after a burst before its RSS is read. */
const SETTLE_MS = 3000;
/** The daemon's RSS, idle and loaded, is the median of this many readings a second apart (memory.ts steadyRssMb says why). */
const RSS_READINGS = 15;
const LONG_MS = 600_000;

interface PodStatus {
  status?: { containerStatuses?: { containerID?: string }[] };
}

export const scaleSuite: Suite = async (options) => {
  const { dir, log } = options;
  const few = join(dir, 'few.yaml');
  await writeFile(few, manyPods('few', FEW));
  const peapod = await startBenchDaemon();
  const raw: Record<string, number[] | number> = {};
  const rows: BenchRow[] = [];
  try {
    await delay(SETTLE_MS);
    const idle = await steadyRssMb(peapod.daemon.child.pid ?? 0, RSS_READINGS);
    raw['idleRss'] = idle.readings;
    const idleRss = idle.median;
    rows.push(...(await fewPods(peapod, few, options, raw)));
    const perPod = await peapodMemoryPerPod(peapod, few, idleRss, raw);
    rows.push(...(await manyPodsRows(peapod, options, raw)));
    const podmanPerPod = await podmanMemoryPerPod(dir, peapod, log, raw);
    rows.push(
      { name: `daemon RSS, idle (median of ${RSS_READINGS} readings 1 s apart)`, unit: 'MB', value: idleRss },
      {
        name: `memory per pod (daemon growth + conmons + pause, PSS, ${MEMORY_PODS} pods)`,
        unit: 'MB',
        value: perPod,
        ...(podmanPerPod === undefined
          ? { reference: 'podman (not installed)' }
          : { reference: `podman (conmons + infra, PSS, ${MEMORY_PODS} pods)`, referenceValue: podmanPerPod }),
      },
    );
  } catch (err) {
    log(`${err instanceof Error ? err.message : String(err)}`);
    throw err;
  } finally {
    await peapod.close();
  }
  return { rows, raw };
};

async function fewPods(peapod: BenchDaemon, few: string, { runs, log }: SuiteOptions, raw: Record<string, number[] | number>): Promise<BenchRow[]> {
  const fewTimes: number[] = [];
  for (let i = -1; i < runs; i++) {
    const ms = await timeIt(() => peapod.cli(['apply', '-f', few, '--wait'], LONG_MS));
    if (i >= 0) fewTimes.push(ms);
    await peapod.cli(['delete', '-f', few], LONG_MS);
  }
  log(`scale: ${FEW} pods × ${runs + 1}`);
  raw['fewTimes'] = fewTimes;
  return [{ name: `${FEW} pods in one apply (→ all running)`, unit: 'ms', value: median(fewTimes), samples: runs }];
}

/** Daemon RSS growth plus the PSS of the pods' conmons and pause processes, per pod, with MEMORY_PODS running. */
async function peapodMemoryPerPod(peapod: BenchDaemon, file: string, idleRss: number, raw: Record<string, number[] | number>): Promise<number> {
  await peapod.cli(['apply', '-f', file, '--wait'], LONG_MS);
  try {
    await delay(SETTLE_MS);
    const rss = await rssMb(peapod.daemon.child.pid ?? 0);
    const helpers = await helperPssMb((argv) => argv.some((a) => a.includes(peapod.roots.dir)), peapod.roots.config.cgroupRoot);
    if (helpers.pauses !== MEMORY_PODS)
      throw new Error(`expected ${MEMORY_PODS} pause processes in ${peapod.roots.config.cgroupRoot}, found ${helpers.pauses}`);
    Object.assign(raw, { memoryPodsRss: rss, memoryPodsHelpersMb: helpers.mb });
    return (rss - idleRss) / MEMORY_PODS + helpers.mb / MEMORY_PODS;
  } finally {
    await peapod.cli(['delete', '-f', file], LONG_MS);
  }
}

async function manyPodsRows(peapod: BenchDaemon, options: SuiteOptions, raw: Record<string, number[] | number>): Promise<BenchRow[]> {
  const { dir, log } = options;
  const many = join(dir, 'many.yaml');
  await writeFile(many, manyPods('many', MANY));
  const [floorStart, floorStop] = await floorMany(dir, false, peapod.roots.config.maxParallelPodStarts);
  log(`scale: floor, ${MANY} pods: ${(floorStart / 1000).toFixed(1)} s up, ${(floorStop / 1000).toFixed(1)} s down`);
  const [monitoredStart, monitoredStop] = await floorMany(dir, true, peapod.roots.config.maxParallelPodStarts);
  log(`scale: floor with conmon, ${MANY} pods: ${(monitoredStart / 1000).toFixed(1)} s up, ${(monitoredStop / 1000).toFixed(1)} s down`);
  const manyStart = await timeIt(() => peapod.cli(['apply', '-f', many, '--wait'], LONG_MS));
  log(`scale: ${MANY} pods running after ${(manyStart / 1000).toFixed(1)} s`);
  const rows: BenchRow[] = [];
  try {
    rows.push(...(await withManyRunning(peapod, options, raw)));
    await delay(SETTLE_MS);
    const loaded = await steadyRssMb(peapod.daemon.child.pid ?? 0, RSS_READINGS);
    raw['loadedRss'] = loaded.readings;
    rows.push(
      { name: `daemon RSS, ${MANY} pods running (median of ${RSS_READINGS} readings 1 s apart)`, unit: 'MB', value: loaded.median, goal: { max: 80 } },
      {
        name: `daemon RSS, ${MANY} pods running, first of those readings (the single reading before 2026-12-07's eighth stop)`,
        unit: 'MB',
        value: loaded.readings[0] ?? 0,
      },
      { name: `daemon RSS, ${MANY} pods running, highest of those readings`, unit: 'MB', value: loaded.max },
    );
    // Reported beside it, not hidden in it: the daemon's commands run through this second process.
    const spawner = await spawnerRssMb(peapod.daemon.child.pid ?? 0);
    raw['spawnerRss'] = spawner;
    rows.push({ name: `spawner RSS (the daemon's python3 helper), ${MANY} pods running`, unit: 'MB', value: spawner });
  } finally {
    const manyStop = await timeIt(() => peapod.cli(['delete', '-f', many], LONG_MS));
    Object.assign(raw, {
      floorManyStart: floorStart,
      floorManyStop: floorStop,
      monitoredManyStart: monitoredStart,
      monitoredManyStop: monitoredStop,
      manyStart,
      manyStop,
    });
    const floorRef = (value: number, floor = 'floor'): Pick<BenchRow, 'reference' | 'referenceValue'> => ({
      reference: `${floor}, ${MANY} pods, ${peapod.roots.config.maxParallelPodStarts} at once`,
      referenceValue: value,
    });
    const applied = { name: `${MANY} pods in one apply (→ all running)`, unit: 'ms', value: manyStart, samples: 1 } as const;
    const deleted = { name: `${MANY} pods deleted (delete -f → nothing left)`, unit: 'ms', value: manyStop, samples: 1 } as const;
    rows.unshift(
      { ...applied, ...floorRef(floorStart), goal: { maxRatio: 1.5 } },
      { ...deleted, ...floorRef(floorStop), goal: { maxRatio: 1.5 } },
      // What a monitor per container costs at this scale (two more runc execs and a conmon per container), apart.
      { ...applied, ...floorRef(monitoredStart, 'floor with conmon') },
      { ...deleted, ...floorRef(monitoredStop, 'floor with conmon') },
    );
  }
  return rows;
}

/** The floor's MANY pods started (as many at once as the daemon's bound) and torn down, with or without conmon: [up, down] in ms. */
async function floorMany(dir: string, monitor: boolean, parallel: number): Promise<[number, number]> {
  const floor = await createFloor(dir, randomSubnet(), { monitor, parallel });
  try {
    let pods: Awaited<ReturnType<typeof floor.startMany>> | undefined;
    const up = await timeIt(async () => (pods = await floor.startMany(1, MANY)));
    await pods?.ready();
    const down = await timeIt(() => pods?.teardown() ?? Promise.resolve());
    return [up, down];
  } finally {
    await floor.close();
  }
}

/** `get pods` and `exec` with the 100 pods running: CLI, daemon side, runc by hand and `node -e 0`, rounds shuffled. */
async function withManyRunning(peapod: BenchDaemon, { runs }: SuiteOptions, raw: Record<string, number[] | number>): Promise<BenchRow[]> {
  const pod = JSON.parse(await peapod.cli(['get', 'pod', 'many-0', '-o', 'json'])) as PodStatus;
  const runcId = (pod.status?.containerStatuses?.[0]?.containerID ?? '').replace(/^.*:\/\//, '');
  const t: Record<'get' | 'apiGet' | 'exec' | 'apiExec' | 'runcExec' | 'node', number[]> = {
    get: [],
    apiGet: [],
    exec: [],
    apiExec: [],
    runcExec: [],
    node: [],
  };
  const execPath = '/v1/namespaces/default/pods/many-0/exec';
  const steps: Record<keyof typeof t, () => Promise<unknown>> = {
    get: () => peapod.cli(['get', 'pods']),
    apiGet: () => peapod.api.call('GET', '/v1/pods', { query: { namespace: 'default' } }),
    exec: () => peapod.cli(['exec', 'many-0', '-c', 'a', '--', 'true']),
    apiExec: async () => {
      const plan = await peapod.api.call<ExecPlan>('POST', execPath, { body: { container: 'a', command: ['true'], tty: false, stdin: false } });
      const [file, ...args] = plan.argv;
      await run(file ?? 'false', args);
    },
    runcExec: () => run('runc', ['--root', join(peapod.roots.config.runRoot, 'runc'), 'exec', runcId, 'true']),
    node: () => run(process.execPath, ['-e', '0']),
  };
  for (let i = -1; i < runs; i++) {
    for (const step of shuffled(Object.keys(steps) as (keyof typeof t)[])) {
      const ms = await timeIt(steps[step]);
      if (i >= 0) t[step].push(ms);
    }
  }
  Object.assign(raw, { getTimes: t.get, apiGetTimes: t.apiGet, execTimes: t.exec, apiExecTimes: t.apiExec, runcExecTimes: t.runcExec, nodeTimes: t.node });
  const m = (k: keyof typeof t): number => median(t[k]);
  const nodeRef = { reference: '`node -e 0`', referenceValue: m('node') };
  return [
    { name: `get pods with ${MANY} pods`, unit: 'ms', value: m('get'), samples: runs, goal: { max: 100 } },
    { name: `get pods with ${MANY} pods, daemon side (API request)`, unit: 'ms', value: m('apiGet'), samples: runs },
    {
      name: 'exec POD -- true',
      unit: 'ms',
      value: m('exec'),
      samples: runs,
      reference: 'runc exec by hand',
      referenceValue: m('runcExec'),
      goal: { max: 100 },
    },
    { name: 'exec POD -- true, daemon side (API request + the runc exec it names)', unit: 'ms', value: m('apiExec'), samples: runs },
    { name: 'CLI overhead, get pods (CLI − daemon side)', unit: 'ms', value: m('get') - m('apiGet'), samples: runs, ...nodeRef, goal: { maxAbove: 20 } },
    { name: 'CLI overhead, exec (CLI − daemon side)', unit: 'ms', value: m('exec') - m('apiExec'), samples: runs, ...nodeRef, goal: { maxAbove: 20 } },
  ];
}

/** podman's conmons and infra processes for MEMORY_PODS pods played from one file, per pod; undefined without podman. */
async function podmanMemoryPerPod(
  dir: string,
  peapod: BenchDaemon,
  log: (line: string) => void,
  raw: Record<string, number[] | number>,
): Promise<number | undefined> {
  const podman = await preparePodman(dir, await busyboxLayout(peapod.roots), log);
  if (!podman) return undefined;
  const podmanFile = join(dir, 'podman-pods.yaml');
  await writeFile(podmanFile, manyPods('pm', MEMORY_PODS));
  try {
    await podman.podman(['kube', 'down', podmanFile]).catch(() => undefined);
    await podman.podman(['kube', 'play', '--quiet', podmanFile]);
    try {
      await delay(SETTLE_MS);
      const pm = await helperPssMb((argv) => argv.some((a) => a.includes('/var/lib/containers') || a.includes('libpod')));
      Object.assign(raw, { podmanHelpersMb: pm.mb, podmanConmons: pm.conmons, podmanPauses: pm.pauses });
      return pm.mb / MEMORY_PODS;
    } finally {
      await podman.podman(['kube', 'down', podmanFile]);
    }
  } finally {
    await podman.close();
  }
}
