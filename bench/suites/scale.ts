// Many pods on one daemon: 10 pods in one apply, then 100 pods running, with `get pods`, `exec`,
// the daemon's RSS idle and loaded, and the memory each pod adds (daemon growth plus its conmons and
// pause process) against podman's per-pod cost (conmons and infra process, 10 pods).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { run } from '../../src/host/exec.js';
import { busyboxLayout } from '../../test/helpers/daemon.js';
import { median, timeIt, type BenchRow } from '../stats.js';
import type { Suite } from '../suite.js';
import { manyPods } from './manifests.js';
import { helperPssMb, rssMb } from './memory.js';
import { startBenchDaemon } from './peapod.js';
import { preparePodman, type Podman } from './podman.js';

const MANY = 100;
const FEW = 10;
const PODMAN_PODS = 10;
/** Lets a daemon's heap settle after a burst before its RSS is read. */
const SETTLE_MS = 3000;
const LONG_MS = 600_000;

interface PodStatus {
  status?: { containerStatuses?: { containerID?: string }[] };
}

export const scaleSuite: Suite = async ({ runs, dir, log }) => {
  const few = join(dir, 'few.yaml');
  const many = join(dir, 'many.yaml');
  await writeFile(few, manyPods('few', FEW));
  await writeFile(many, manyPods('many', MANY));
  const peapod = await startBenchDaemon();
  const pid = peapod.daemon.child.pid ?? 0;
  const raw: Record<string, number[] | number> = {};
  const rows: BenchRow[] = [];
  let podman: Podman | undefined;
  try {
    await delay(SETTLE_MS);
    const idleRss = await rssMb(pid);
    const fewTimes: number[] = [];
    for (let i = -1; i < runs; i++) {
      const ms = await timeIt(() => peapod.cli(['apply', '-f', few, '--wait'], LONG_MS));
      if (i >= 0) fewTimes.push(ms);
      await peapod.cli(['delete', '-f', few], LONG_MS);
    }
    log(`scale: ${FEW} pods × ${runs + 1}`);
    const manyStart = await timeIt(() => peapod.cli(['apply', '-f', many, '--wait'], LONG_MS));
    log(`scale: ${MANY} pods running after ${(manyStart / 1000).toFixed(1)} s`);
    const getTimes: number[] = [];
    const execTimes: number[] = [];
    const runcExecTimes: number[] = [];
    const pod = JSON.parse(await peapod.cli(['get', 'pod', 'many-0', '-o', 'json'])) as PodStatus;
    const runcId = (pod.status?.containerStatuses?.[0]?.containerID ?? '').replace(/^.*:\/\//, '');
    for (let i = -1; i < runs; i++) {
      const get = await timeIt(() => peapod.cli(['get', 'pods']));
      const exec = await timeIt(() => peapod.cli(['exec', 'many-0', '-c', 'a', '--', 'true']));
      const runcExec = await timeIt(() => run('runc', ['--root', join(peapod.roots.config.runRoot, 'runc'), 'exec', runcId, 'true']));
      if (i >= 0) {
        getTimes.push(get);
        execTimes.push(exec);
        runcExecTimes.push(runcExec);
      }
    }
    await delay(SETTLE_MS);
    const loadedRss = await rssMb(pid);
    const helpers = await helperPssMb((argv) => argv.some((a) => a.includes(peapod.roots.dir)));
    if (helpers.pauses !== MANY) throw new Error(`expected ${MANY} pause processes under conmon, found ${helpers.pauses}`);
    const perPod = (loadedRss - idleRss) / MANY + helpers.mb / MANY;
    const manyStop = await timeIt(() => peapod.cli(['delete', '-f', many], LONG_MS));
    Object.assign(raw, { fewTimes, getTimes, execTimes, runcExecTimes, idleRss, loadedRss, helpersMb: helpers.mb, manyStart, manyStop });

    podman = await preparePodman(dir, await busyboxLayout(peapod.roots), log);
    let podmanPerPod: number | undefined;
    if (podman) {
      const podmanFile = join(dir, 'podman-pods.yaml');
      await writeFile(podmanFile, manyPods('pm', PODMAN_PODS));
      await podman.podman(['kube', 'down', podmanFile]).catch(() => undefined);
      await podman.podman(['kube', 'play', '--quiet', podmanFile]);
      try {
        await delay(SETTLE_MS);
        const pm = await helperPssMb((argv) => argv.some((a) => a.includes('/var/lib/containers') || a.includes('libpod')));
        podmanPerPod = pm.mb / PODMAN_PODS;
        Object.assign(raw, { podmanHelpersMb: pm.mb, podmanConmons: pm.conmons, podmanPauses: pm.pauses });
      } finally {
        await podman.podman(['kube', 'down', podmanFile]);
        await podman.close();
      }
    }
    rows.push(
      { name: `${FEW} pods in one apply (→ all running)`, unit: 'ms', value: median(fewTimes), samples: runs },
      { name: `${MANY} pods in one apply (→ all running)`, unit: 'ms', value: manyStart, samples: 1 },
      { name: `${MANY} pods deleted (delete -f → nothing left)`, unit: 'ms', value: manyStop, samples: 1 },
      { name: `get pods with ${MANY} pods`, unit: 'ms', value: median(getTimes), samples: runs, goal: { max: 150 } },
      { name: 'exec POD -- true', unit: 'ms', value: median(execTimes), samples: runs, reference: 'runc exec by hand', referenceValue: median(runcExecTimes), goal: { max: 100 } },
      { name: 'daemon RSS, idle', unit: 'MB', value: idleRss },
      { name: `daemon RSS, ${MANY} pods running`, unit: 'MB', value: loadedRss, goal: { max: 80 } },
      {
        name: 'memory per pod (daemon growth + conmons + pause, PSS)',
        unit: 'MB',
        value: perPod,
        ...(podmanPerPod === undefined ? { reference: 'podman (not installed)' } : { reference: `podman (conmons + infra, PSS, ${PODMAN_PODS} pods)`, referenceValue: podmanPerPod }),
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
