// The CronJob controller in the daemon: reads a CronJob and the Jobs it controls, lets syncCronJob (sync.ts)
// decide, then deletes replaced and surplus Jobs, creates the due Job (ownerReference to the CronJob), records the
// new Job in status.active and wakes up again at the next scheduled time on the controllers' clock.
import { errorCode } from '../../common/errors.js';
import { faultPoint } from '../../common/fault.js';
import type { CronJob, CronJobStatus, Job, ObjectReference } from '../../kube/batch.js';
import { TimeZone } from '../../kube/cron/zone.js';
import type { Controller, ControllerContext, SyncResult } from '../controller.js';
import { controllerOf, controllerRef } from '../owners.js';
import type { ObjectKey } from '../store/object-store.js';
import { syncCronJob } from './sync.js';

export class CronJobController implements Controller {
  readonly name = 'cronjob';
  readonly kind = 'CronJob';
  readonly owns = ['Job'];
  /** Made at the first sync: Intl's zone data costs the daemon megabytes of resident memory, needed only with a CronJob. */
  private localZone: TimeZone | undefined;

  constructor(private readonly ctx: ControllerContext) {}

  async sync(key: ObjectKey): Promise<SyncResult | void> {
    const cronJob = this.ctx.store.get<CronJob>(key);
    if (!cronJob || cronJob.metadata.deletionTimestamp !== undefined) return;
    const uid = cronJob.metadata.uid ?? '';
    const jobs = this.ctx.store.list<Job>('Job', key.namespace).filter((j) => controllerOf(j.metadata)?.uid === uid);
    const plan = syncCronJob({ cronJob, jobs, now: this.ctx.clock.now().getTime(), localZone: (this.localZone ??= TimeZone.local()) });
    for (const job of plan.delete) await this.ctx.store.delete({ kind: 'Job', namespace: key.namespace, name: job.name }, 'Background');
    let status: CronJobStatus = plan.status;
    const requeueAfterMs = plan.requeueAfterMs;
    if (plan.create) {
      const wanted = plan.create;
      try {
        const created = await this.ctx.store.create<Job>({ ...wanted, metadata: { ...wanted.metadata, ownerReferences: [controllerRef(cronJob)] } });
        // A crash here leaves a Job the status does not list: its name is the scheduled time's lock, the next sync
        // finds it and records it instead of creating another.
        faultPoint('cronjob.job-created');
        const ref: ObjectReference = {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: created.metadata.name,
          namespace: key.namespace,
          uid: created.metadata.uid ?? '',
        };
        status = { ...status, active: [...(status.active ?? []), ref] };
        this.ctx.event(cronJob, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
      } catch (err) {
        if (errorCode(err) !== 'AlreadyExists') {
          this.ctx.event(cronJob, 'Warning', 'FailedCreate', `Error creating job: ${err instanceof Error ? err.message : String(err)}`);
          throw err;
        }
        // A Job this CronJob does not control has the name (ours would have been adopted): leave that time alone, as
        // the controller does, without recording it as scheduled.
        const { lastScheduleTime: _taken, ...rest } = status;
        status = cronJob.status?.lastScheduleTime ? { ...rest, lastScheduleTime: cronJob.status.lastScheduleTime } : rest;
      }
    }
    for (const e of plan.events) this.ctx.event(cronJob, e.type, e.reason, e.message);
    if (JSON.stringify(status) !== JSON.stringify(cronJob.status ?? {})) await this.ctx.store.updateStatus<CronJob>(key, status);
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }
}
