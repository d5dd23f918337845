// `get` rows and `describe` text for Jobs and CronJobs, in kubectl's columns and layout (printJob, printCronJob,
// JobDescriber, CronJobDescriber).
import type { CronJob, Job, LabelSelector, PodTemplateSpec } from '../../kube/batch.js';
import { formatAge, formatTable } from '../output.js';

export interface DescribedEvent {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly firstTimestamp: string;
  readonly lastTimestamp: string;
  readonly count: number;
}

const isTrue = (job: Job, type: string): boolean => (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** kubectl's job STATUS: the terminal condition, then Terminating, Suspended, the interim conditions, else Running. */
export function jobStatusWord(job: Job): string {
  if (isTrue(job, 'Complete')) return 'Complete';
  if (isTrue(job, 'Failed')) return 'Failed';
  if ((job.metadata as { deletionTimestamp?: string }).deletionTimestamp !== undefined) return 'Terminating';
  if (isTrue(job, 'Suspended')) return 'Suspended';
  if (isTrue(job, 'FailureTarget')) return 'FailureTarget';
  if (isTrue(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

export function jobCompletions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec.completions !== undefined) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export function jobDuration(job: Job, now: number): string {
  const start = job.status?.startTime;
  if (start === undefined) return '';
  const end = job.status?.completionTime;
  return end === undefined ? formatAge(start, now) : formatAge(start, Date.parse(end));
}

export function formatSelector(selector: LabelSelector | undefined): string {
  if (selector === undefined) return '<none>';
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) parts.push(`${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(',')})`);
  return parts.length > 0 ? parts.join(',') : '<none>';
}

const containerCells = (template: PodTemplateSpec): [string, string] => [
  template.spec.containers.map((c) => c.name).join(','),
  template.spec.containers.map((c) => c.image ?? '').join(','),
];

export function jobHeaders(wide: boolean, withNamespace: boolean): string[] {
  return [...(withNamespace ? ['NAMESPACE'] : []), 'NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE', ...(wide ? ['CONTAINERS', 'IMAGES', 'SELECTOR'] : [])];
}

export function jobRow(job: Job, wide: boolean, withNamespace: boolean, now = Date.now()): string[] {
  const row = [job.metadata.name, jobStatusWord(job), jobCompletions(job), jobDuration(job, now), formatAge(job.metadata.creationTimestamp ?? now, now)];
  if (withNamespace) row.unshift(job.metadata.namespace ?? 'default');
  if (wide) row.push(...containerCells(job.spec.template), formatSelector(job.spec.selector));
  return row;
}

export function cronJobHeaders(wide: boolean, withNamespace: boolean): string[] {
  return [
    ...(withNamespace ? ['NAMESPACE'] : []),
    'NAME',
    'SCHEDULE',
    'TIMEZONE',
    'SUSPEND',
    'ACTIVE',
    'LAST SCHEDULE',
    'AGE',
    ...(wide ? ['CONTAINERS', 'IMAGES', 'SELECTOR'] : []),
  ];
}

export function cronJobRow(cj: CronJob, wide: boolean, withNamespace: boolean, now = Date.now()): string[] {
  const last = cj.status?.lastScheduleTime;
  const row = [
    cj.metadata.name,
    cj.spec.schedule,
    cj.spec.timeZone ?? '<none>',
    cj.spec.suspend === undefined ? 'False' : cj.spec.suspend ? 'True' : 'False',
    String(cj.status?.active?.length ?? 0),
    last === undefined ? '<none>' : formatAge(last, now),
    formatAge(cj.metadata.creationTimestamp ?? now, now),
  ];
  if (withNamespace) row.unshift(cj.metadata.namespace ?? 'default');
  if (wide) row.push(...containerCells(cj.spec.jobTemplate.spec.template), formatSelector(cj.spec.jobTemplate.spec.selector));
  return row;
}

/** "Mon, 07 Dec 2026 08:00:00 +0000", as kubectl describe prints times. */
const describeTime = (iso: string): string => new Date(iso).toUTCString().replace('GMT', '+0000');
const field = (label: string, value: string, width: number): string => `${`${label}:`.padEnd(Math.max(width, label.length + 2))}${value}`;

function mapLines(label: string, map: Readonly<Record<string, string>> | undefined, width: number, indent = ''): string[] {
  const entries = Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return [`${indent}${field(label, '<none>', width)}`];
  return entries.map(([k, v], i) => `${indent}${i === 0 ? field(label, '', width) : ' '.repeat(width)}${k}=${v}`);
}

function templateLines(template: PodTemplateSpec): string[] {
  const out = ['Pod Template:', ...mapLines('Labels', template.metadata?.labels, 9, '  '), '  Containers:'];
  for (const c of template.spec.containers) {
    out.push(`   ${c.name}:`, `    ${field('Image', c.image ?? '', 12)}`);
    if (c.command) out.push('    Command:', ...c.command.map((a) => `      ${a}`));
    if (c.args) out.push('    Args:', ...c.args.map((a) => `      ${a}`));
    const env = c.env ?? [];
    out.push(env.length === 0 ? `    ${field('Environment', '<none>', 14)}` : '    Environment:');
    for (const e of env) out.push(`      ${e.name}:  ${e.value ?? (e.valueFrom?.fieldRef ? `(v1:${e.valueFrom.fieldRef.fieldPath})` : '<set from a source>')}`);
  }
  out.push(`  ${field('Volumes', (template.spec.volumes ?? []).length === 0 ? '<none>' : (template.spec.volumes?.map((v) => v.name).join(', ') ?? ''), 10)}`);
  return out;
}

export function eventLines(events: readonly DescribedEvent[], from: string, now = Date.now()): string[] {
  if (events.length === 0) return ['Events:  <none>'];
  const rows = events.map((e) => [
    e.type,
    e.reason,
    e.count > 1 ? `${formatAge(e.lastTimestamp, now)} (x${e.count} over ${formatAge(e.firstTimestamp, now)})` : formatAge(e.firstTimestamp, now),
    from,
    e.message,
  ]);
  return [
    'Events:',
    ...formatTable(['Type', 'Reason', 'Age', 'From', 'Message'], rows)
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}`),
  ];
}

export function describeJob(job: Job, events: readonly DescribedEvent[], now = Date.now()): string {
  const w = 18;
  const s = job.status ?? {};
  const lines = [
    field('Name', job.metadata.name, w),
    field('Namespace', job.metadata.namespace ?? 'default', w),
    field('Selector', formatSelector(job.spec.selector), w),
    ...mapLines('Labels', job.metadata.labels, w),
    ...mapLines('Annotations', job.metadata.annotations, w),
    field('Parallelism', String(job.spec.parallelism ?? 1), w),
    field('Completions', job.spec.completions === undefined ? '<unset>' : String(job.spec.completions), w),
    field('Completion Mode', job.spec.completionMode ?? 'NonIndexed', w),
    field('Suspend', String(job.spec.suspend ?? false), w),
    field('Backoff Limit', String(job.spec.backoffLimit ?? 6), w),
  ];
  if (job.spec.ttlSecondsAfterFinished !== undefined) lines.push(field('TTL Seconds After Finished', String(job.spec.ttlSecondsAfterFinished), 0));
  if (s.startTime) lines.push(field('Start Time', describeTime(s.startTime), w));
  if (s.completionTime) lines.push(field('Completed At', describeTime(s.completionTime), w));
  if (s.startTime) lines.push(field('Duration', jobDuration(job, now), w));
  if (job.spec.activeDeadlineSeconds !== undefined) lines.push(field('Active Deadline Seconds', `${job.spec.activeDeadlineSeconds}s`, 0));
  lines.push(field('Pods Statuses', `${s.active ?? 0} Active (${s.ready ?? 0} Ready) / ${s.succeeded ?? 0} Succeeded / ${s.failed ?? 0} Failed`, w));
  if (job.spec.completionMode === 'Indexed') lines.push(field('Completed Indexes', s.completedIndexes || '<none>', w));
  const conditions = s.conditions ?? [];
  if (conditions.length > 0) {
    lines.push(
      'Conditions:',
      ...formatTable(
        ['Type', 'Status', 'Reason'],
        conditions.map((c) => [c.type, c.status, c.reason ?? '']),
      )
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  lines.push(...templateLines(job.spec.template), ...eventLines(events, 'job-controller', now));
  return `${lines.join('\n')}\n`;
}

export function describeCronJob(cj: CronJob, events: readonly DescribedEvent[], now = Date.now()): string {
  const w = 31;
  const spec = cj.spec;
  const unset = (v: number | undefined): string => (v === undefined ? '<unset>' : String(v));
  const lines = [
    field('Name', cj.metadata.name, w),
    field('Namespace', cj.metadata.namespace ?? 'default', w),
    ...mapLines('Labels', cj.metadata.labels, w),
    ...mapLines('Annotations', cj.metadata.annotations, w),
    field('Schedule', spec.schedule, w),
    ...(spec.timeZone !== undefined ? [field('Time Zone', spec.timeZone, w)] : []),
    field('Concurrency Policy', spec.concurrencyPolicy ?? 'Allow', w),
    field('Suspend', spec.suspend === true ? 'True' : 'False', w),
    field('Successful Job History Limit', String(spec.successfulJobsHistoryLimit ?? 3), w),
    field('Failed Job History Limit', String(spec.failedJobsHistoryLimit ?? 1), w),
    field('Starting Deadline Seconds', spec.startingDeadlineSeconds === undefined ? '<unset>' : `${spec.startingDeadlineSeconds}s`, w),
    field('Selector', spec.jobTemplate.spec.selector ? formatSelector(spec.jobTemplate.spec.selector) : '<unset>', w),
    field('Parallelism', unset(spec.jobTemplate.spec.parallelism), w),
    field('Completions', unset(spec.jobTemplate.spec.completions), w),
    ...templateLines(spec.jobTemplate.spec.template),
    field('Last Schedule Time', cj.status?.lastScheduleTime ? describeTime(cj.status.lastScheduleTime) : '<unset>', 21),
    field('Active Jobs', (cj.status?.active ?? []).map((a) => a.name ?? '').join(', ') || '<none>', 21),
    ...eventLines(events, 'cronjob-controller', now),
  ];
  return `${lines.join('\n')}\n`;
}
