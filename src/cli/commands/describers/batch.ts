// kubectl describe job / cronjob (k8s.io/kubectl/pkg/describe: JobDescriber, CronJobDescriber), after the
// common head; events follow.
import type { ObjectDescribeResult } from '../../../api/routes/objects.js';
import type { CronJob, Job } from '../../../kube/batch.js';
import { jobDuration } from '../../../kube/kinds/batch.js';
import { formatSelector } from '../../../kube/label-selector.js';
import { formatTable } from '../../output.js';
import { templateLines } from './apps.js';
import { field } from './format.js';

/** The CronJob describer's fields are aligned past its longest label, as kubectl's tab writer does. */
const cronField = (name: string, value: string): string => `${`${name}:`.padEnd(31)}${value}`;

/** "Mon, 07 Dec 2026 08:00:00 +0000", as kubectl describe prints times. */
const describeTime = (iso: string): string => new Date(iso).toUTCString().replace('GMT', '+0000');
const unset = (v: number | undefined): string => (v === undefined ? '<unset>' : String(v));

export function describeJob(result: ObjectDescribeResult, now = Date.now()): string[] {
  const job = result.object as Job;
  const s = job.status ?? {};
  const owner = job.metadata.ownerReferences?.find((r) => r.controller === true);
  const lines = [
    field('Selector', job.spec.selector ? formatSelector(job.spec.selector) : '<none>'),
    ...(owner ? [field('Controlled By', `${owner.kind}/${owner.name}`)] : []),
    field('Parallelism', unset(job.spec.parallelism)),
    field('Completions', unset(job.spec.completions)),
    field('Completion Mode', job.spec.completionMode ?? 'NonIndexed'),
    field('Suspend', String(job.spec.suspend ?? false)),
    field('Backoff Limit', unset(job.spec.backoffLimit)),
    ...(job.spec.ttlSecondsAfterFinished !== undefined ? [field('TTL Seconds After Finished', String(job.spec.ttlSecondsAfterFinished))] : []),
    ...(s.startTime ? [field('Start Time', describeTime(s.startTime))] : []),
    ...(s.completionTime ? [field('Completed At', describeTime(s.completionTime))] : []),
    ...(s.startTime ? [field('Duration', jobDuration(job, now))] : []),
    ...(job.spec.activeDeadlineSeconds !== undefined ? [field('Active Deadline Seconds', `${job.spec.activeDeadlineSeconds}s`)] : []),
    field('Pods Statuses', `${s.active ?? 0} Active (${s.ready ?? 0} Ready) / ${s.succeeded ?? 0} Succeeded / ${s.failed ?? 0} Failed`),
    ...(job.spec.completionMode === 'Indexed' ? [field('Completed Indexes', s.completedIndexes || '<none>')] : []),
  ];
  const conditions = s.conditions ?? [];
  if (conditions.length > 0)
    lines.push(
      'Conditions:',
      ...formatTable(['Type', 'Status', 'Reason'], [['----', '------', '------'], ...conditions.map((c) => [c.type, c.status, c.reason ?? ''])])
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  return [...lines, ...templateLines(job.spec.template)];
}

export function describeCronJob(result: ObjectDescribeResult): string[] {
  const cj = result.object as CronJob;
  const spec = cj.spec;
  const jobSpec = spec.jobTemplate.spec;
  return [
    cronField('Schedule', spec.schedule),
    ...(spec.timeZone !== undefined ? [cronField('Time Zone', spec.timeZone)] : []),
    cronField('Concurrency Policy', spec.concurrencyPolicy ?? 'Allow'),
    cronField('Suspend', spec.suspend === true ? 'True' : 'False'),
    cronField('Successful Job History Limit', unset(spec.successfulJobsHistoryLimit)),
    cronField('Failed Job History Limit', unset(spec.failedJobsHistoryLimit)),
    cronField('Starting Deadline Seconds', spec.startingDeadlineSeconds === undefined ? '<unset>' : `${spec.startingDeadlineSeconds}s`),
    cronField('Selector', jobSpec.selector ? formatSelector(jobSpec.selector) : '<unset>'),
    cronField('Parallelism', unset(jobSpec.parallelism)),
    cronField('Completions', unset(jobSpec.completions)),
    ...templateLines(jobSpec.template),
    cronField('Last Schedule Time', cj.status?.lastScheduleTime ? describeTime(cj.status.lastScheduleTime) : '<unset>'),
    cronField('Active Jobs', (cj.status?.active ?? []).map((a) => a.name ?? '').join(', ') || '<none>'),
  ];
}
