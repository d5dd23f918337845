// The Job controller in the daemon: reads a Job, its pods and its tracking record, lets syncJob (sync.ts) decide,
// then carries the plan out in a crash-safe order — tracking and counters first, pod deletions, pod creations, the
// status last — and deletes finished Jobs whose ttlSecondsAfterFinished ran out (the TTL-after-finished controller).
import { faultPoint } from '../../common/fault.js';
import type { Job, JobStatus } from '../../kube/batch.js';
import { JOB_COMPLETION_INDEX } from '../../kube/batch.js';
import type { Controller, ControllerContext, SyncResult } from '../controller.js';
import { controllerOf, controllerRef } from '../owners.js';
import type { ControlledPod } from '../pods.js';
import type { ObjectKey } from '../store/object-store.js';
import { isJobFinished, jobFinishTime } from './conditions.js';
import { completionIndexOf } from './indexes.js';
import { jobPodTemplate } from './pod.js';
import { syncJob, type JobPod } from './sync.js';
import { JobTrackingStore } from './tracking-store.js';

const TERMINAL = new Set(['Succeeded', 'Failed']);

function toJobPod(p: ControlledPod): JobPod {
  const statuses = [...(p.pod.status.initContainerStatuses ?? []), ...(p.pod.status.containerStatuses ?? [])];
  return {
    name: p.pod.metadata.name,
    uid: p.uid,
    phase: p.phase,
    ready: p.ready,
    terminating: p.terminating && !TERMINAL.has(p.phase),
    completionIndex: completionIndexOf(p.pod.metadata.annotations, JOB_COMPLETION_INDEX),
    restarts: statuses.reduce((n, s) => n + s.restartCount, 0),
    // The failure time is when the controller sees it (clock.now()), so an injected clock and the pods' real one
    // are never compared.
  };
}

export class JobController implements Controller {
  readonly name = 'job';
  readonly kind = 'Job';
  readonly owns = ['Pod'];
  private readonly tracking: JobTrackingStore;

  constructor(private readonly ctx: ControllerContext) {
    this.tracking = new JobTrackingStore(ctx.root);
  }

  async sync(key: ObjectKey): Promise<SyncResult | void> {
    await this.tracking.load();
    const job = this.ctx.store.get<Job>(key);
    if (!job) {
      await this.tracking.prune((uid) => this.ctx.store.getByUid(uid) !== undefined);
      return;
    }
    const uid = job.metadata.uid ?? '';
    // A Job being deleted creates nothing more; the garbage collector removes its pods.
    if (job.metadata.deletionTimestamp !== undefined) return;
    const now = this.ctx.clock.now().getTime();
    if (isJobFinished(job)) {
      await this.tracking.forget(uid);
      return this.expire(key, job, now);
    }
    const namespace = key.namespace;
    const pods = this.ctx.pods.list(namespace).filter((p) => controllerOf(p.pod.metadata)?.uid === uid);
    const plan = syncJob({
      job: { ...job, status: this.tracking.overlay(uid, job.status) },
      pods: pods.map(toJobPod),
      tracking: this.tracking.tracking(uid),
      now,
    });
    await this.tracking.save(uid, plan.tracking, plan.status);
    for (const pod of plan.delete) {
      await this.ctx.pods.delete(namespace, pod.name);
      this.ctx.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.name}`);
    }
    const created: string[] = [];
    for (const pod of plan.create) {
      const { generateName, template } = jobPodTemplate(job, pod.index);
      const made = await this.ctx.pods.create(namespace, template, { generateName, owner: controllerRef(job) });
      created.push(made.metadata.uid ?? '');
      // A crash here leaves a pod the tracking record does not list yet: the next sync adopts it.
      faultPoint('job.pod-created');
      this.ctx.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${made.metadata.name}`);
    }
    await this.tracking.track(uid, created);
    await this.writeStatus(key, job, plan.status);
    for (const e of plan.events) this.ctx.event(job, e.type, e.reason, e.message);
    const finishedNow = (plan.status.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    if (finishedNow) return { requeueAfterMs: 0 };
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  }

  private async writeStatus(key: ObjectKey, job: Job, status: JobStatus): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(job.status ?? {})) return;
    await this.ctx.store.updateStatus<Job>(key, status);
  }

  /** ttlSecondsAfterFinished: the Job and (through the garbage collector, foreground) its pods go when it runs out. */
  private async expire(key: ObjectKey, job: Job, now: number): Promise<SyncResult | void> {
    const ttl = job.spec.ttlSecondsAfterFinished;
    const finished = jobFinishTime(job);
    if (ttl === undefined || finished === undefined) return;
    const expireAt = finished + ttl * 1000;
    if (now < expireAt) return { requeueAfterMs: expireAt - now };
    this.ctx.log(`job ${key.namespace}/${key.name}: ttlSecondsAfterFinished (${ttl}s) ran out, deleting it`);
    await this.ctx.store.delete(key, 'Foreground');
  }
}
