// The frame of the Job and CronJob tests: a daemon on the test's own roots (optionally with a scaled or shifted
// controller clock, PEAPOD_CONTROLLER_CLOCK), the busybox image, and reads of Jobs, CronJobs and pods through the
// daemon's API.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiClient } from '../../src/api/client.js';
import type { PodView } from '../../src/api/routes/pods.js';
import type { ObjectList } from '../../src/api/routes/objects.js';
import type { CronJob, Job } from '../../src/kube/batch.js';
import { runCli } from '../helpers/cli.js';
import { loadBusybox, startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { makeTestRoots, type TestRoots } from '../helpers/roots.js';

export class BatchTest {
  readonly api: ApiClient;
  readonly env: NodeJS.ProcessEnv;

  private constructor(
    readonly roots: TestRoots,
    public daemon: TestDaemon,
    private readonly daemonEnv: NodeJS.ProcessEnv,
  ) {
    this.api = new ApiClient(roots.config.socket);
    this.env = roots.env();
  }

  static async start(t: { after: (fn: () => Promise<void>) => void }, daemonEnv: NodeJS.ProcessEnv = {}): Promise<BatchTest> {
    const roots = await makeTestRoots();
    const daemon = await startDaemon(roots, daemonEnv);
    const test = new BatchTest(roots, daemon, daemonEnv);
    t.after(async () => {
      await test.daemon.stop().catch(() => undefined);
      await roots.cleanup();
    });
    await loadBusybox(roots);
    return test;
  }

  /** A daemon killed outright (SIGKILL: no cleanup, conmon keeps the containers) and started again. */
  async killAndRestart(): Promise<void> {
    await this.daemon.kill();
    this.daemon = await startDaemon(this.roots, this.daemonEnv);
  }

  /** Waits for a daemon that kills itself (PEAPOD_FAULT) to be gone, then starts one with `env` instead. */
  async restartAfterFault(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<void> {
    const child = this.daemon.child;
    const deadline = Date.now() + timeoutMs;
    while (child.exitCode === null && child.signalCode === null) {
      if (Date.now() > deadline) throw new Error(`the daemon did not reach its fault point within ${timeoutMs} ms:\n${this.daemon.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.daemon = await startDaemon(this.roots, env);
  }

  async cli(...args: string[]): Promise<string> {
    const r = await runCli(this.env, args);
    if (r.code !== 0) throw new Error(`peapod ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  async apply(name: string, manifest: string): Promise<string> {
    const file = join(this.roots.dir, name);
    await writeFile(file, manifest);
    return this.cli('apply', '-f', file);
  }

  job(name: string): Promise<Job> {
    return this.api.call<Job>('GET', `/v1/namespaces/default/objects/jobs/${name}`);
  }

  async jobOrUndefined(name: string): Promise<Job | undefined> {
    return this.job(name).catch(() => undefined);
  }

  async jobs(): Promise<Job[]> {
    return [...(await this.api.call<ObjectList>('GET', '/v1/objects/jobs', { query: { namespace: 'default' } })).items] as Job[];
  }

  cronJob(name: string): Promise<CronJob> {
    return this.api.call<CronJob>('GET', `/v1/namespaces/default/objects/cronjobs/${name}`);
  }

  pods(): Promise<PodView[]> {
    return this.api.call<PodView[]>('GET', '/v1/pods', { query: { namespace: 'default' } });
  }

  /** The pods a Job controls, oldest first. */
  async podsOf(job: Job): Promise<PodView[]> {
    const uid = job.metadata.uid;
    return (await this.pods())
      .filter((v) => v.pod.metadata.ownerReferences?.some((r) => r.controller === true && r.uid === uid))
      .sort((a, b) => Date.parse(a.pod.metadata.creationTimestamp ?? '') - Date.parse(b.pod.metadata.creationTimestamp ?? ''));
  }
}

export const conditionTypes = (job: Job): string[] => (job.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type);
export const isFinished = (job: Job): boolean => conditionTypes(job).some((t) => t === 'Complete' || t === 'Failed');

/** A Job manifest around one busybox container running `script`. */
export function jobManifest(name: string, script: string, spec: string, restartPolicy: 'Never' | 'OnFailure' = 'Never'): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${spec
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => `  ${l.trim()}`)
  .join('\n')}
  template:
    spec:
      restartPolicy: ${restartPolicy}
      terminationGracePeriodSeconds: 1
      containers:
        - name: work
          image: busybox
          imagePullPolicy: IfNotPresent
          command: ["sh", "-c", ${JSON.stringify(script)}]
`;
}

/** A CronJob manifest around one busybox container running `script`. */
export function cronJobManifest(name: string, schedule: string, script: string, spec: string, jobSpec = ''): string {
  const indent = (text: string, by: string): string =>
    text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => `${by}${l.trim()}`)
      .join('\n');
  return `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: ${JSON.stringify(schedule)}
${indent(spec, '  ')}
  jobTemplate:
    spec:
${indent(jobSpec, '      ')}
      template:
        spec:
          restartPolicy: Never
          terminationGracePeriodSeconds: 1
          containers:
            - name: work
              image: busybox
              imagePullPolicy: IfNotPresent
              command: ["sh", "-c", ${JSON.stringify(script)}]
`;
}
