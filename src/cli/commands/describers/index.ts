// `peapod describe` of the kinds of kube/kinds/: kubectl's common head (Name, Namespace, Labels, ...),
// the kind's own section (a describer registered here by kind), then Events. A kind without a describer
// shows its spec and status as YAML.
import type { ObjectDescribeResult } from '../../../api/routes/objects.js';
import { kindInfo } from '../../../kube/kinds/index.js';
import { formatAge, formatStructured, formatTable } from '../../output.js';
import { describeDeployment, describeReplicaSet } from './apps.js';
import { describeCronJob, describeJob } from './batch.js';
import { field } from './format.js';
import { describeService } from './network.js';
import { describeDaemonSet, describePersistentVolume, describePersistentVolumeClaim, describeStatefulSet } from './stateful.js';

export type Describer = (result: ObjectDescribeResult) => string[];

const DESCRIBERS: Readonly<Record<string, Describer>> = {
  Deployment: describeDeployment,
  ReplicaSet: describeReplicaSet,
  Service: describeService,
  StatefulSet: describeStatefulSet,
  DaemonSet: describeDaemonSet,
  PersistentVolumeClaim: describePersistentVolumeClaim,
  PersistentVolume: describePersistentVolume,
  Job: (result) => describeJob(result),
  CronJob: describeCronJob,
};

const mapLines = (title: string, map: Readonly<Record<string, string>> | undefined): string[] => {
  const entries = Object.entries(map ?? {});
  if (entries.length === 0) return [`${title}<none>`];
  const pad = ' '.repeat(title.length);
  return entries.map(([k, v], i) => `${i === 0 ? title : pad}${k}=${v}`);
};

export function describeHead(result: ObjectDescribeResult): string[] {
  const m = result.object.metadata;
  return [
    field('Name', m.name),
    ...(m.namespace !== undefined ? [field('Namespace', m.namespace)] : []),
    field('CreationTimestamp', new Date(m.creationTimestamp ?? 0).toUTCString().replace('GMT', '+0000')),
    ...mapLines(`${'Labels:'.padEnd(24)}`, m.labels),
    ...mapLines(`${'Annotations:'.padEnd(24)}`, m.annotations),
  ];
}

export function eventLines(result: ObjectDescribeResult): string[] {
  const from = `${kindInfo(result.object.kind)?.singular ?? result.object.kind.toLowerCase()}-controller`;
  if (result.events.length === 0) return ['Events:          <none>'];
  const rows = result.events.map((e) => [
    e.type,
    e.reason,
    e.count > 1 ? `${formatAge(e.lastTimestamp)} (x${e.count} over ${formatAge(e.firstTimestamp)})` : formatAge(e.firstTimestamp),
    from,
    e.message,
  ]);
  return [
    'Events:',
    ...formatTable(['Type', 'Reason', 'Age', 'From', 'Message'], [['----', '------', '----', '----', '-------'], ...rows])
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}`),
  ];
}

export function formatObjectDescribe(result: ObjectDescribeResult): string {
  const own = DESCRIBERS[result.object.kind];
  const body = own ? own(result) : formatStructured({ spec: result.object.spec, status: result.object.status }, 'yaml').trimEnd().split('\n');
  return `${[...describeHead(result), ...body, ...eventLines(result)].join('\n')}\n`;
}
