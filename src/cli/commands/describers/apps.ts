// kubectl describe deployment / replicaset (k8s.io/kubectl/pkg/describe: DeploymentDescriber,
// ReplicaSetDescriber).
import type { ObjectDescribeResult } from '../../../api/routes/objects.js';
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../../kube/kinds/apps.js';
import { formatSelector } from '../../../kube/label-selector.js';
import { formatTable } from '../../output.js';
import { field } from './format.js';

const n = (v: number | undefined): number => v ?? 0;

export function templateLines(template: PodTemplateSpec | undefined): string[] {
  if (!template) return [];
  const labels = Object.entries(template.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const lines = ['Pod Template:', `  Labels:  ${labels.length ? labels.join('\n           ') : '<none>'}`, '  Containers:'];
  for (const c of template.spec.containers) {
    lines.push(`   ${c.name}:`, `    Image:      ${c.image ?? ''}`);
    const ports = (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`);
    lines.push(`    Port:       ${ports.length ? ports.join(', ') : '<none>'}`);
    if (c.readinessProbe) lines.push(`    Readiness:  ${probeText(c.readinessProbe)}`);
    lines.push(`    Environment:  ${c.env?.length ? '' : '<none>'}`);
    for (const e of c.env ?? []) lines.push(`      ${e.name}:  ${e.value ?? '<set from a reference>'}`);
  }
  lines.push(`  Volumes:  ${template.spec.volumes?.length ? template.spec.volumes.map((v) => v.name).join(', ') : '<none>'}`);
  return lines;
}

function probeText(p: NonNullable<PodTemplateSpec['spec']['containers'][number]['readinessProbe']>): string {
  const how = p.httpGet
    ? `http-get ${p.httpGet.scheme === 'HTTPS' ? 'https' : 'http'}://:${String(p.httpGet.port)}${p.httpGet.path ?? '/'}`
    : p.tcpSocket
      ? `tcp-socket :${String(p.tcpSocket.port)}`
      : p.exec
        ? `exec [${(p.exec.command ?? []).join(' ')}]`
        : 'grpc';
  return `${how} delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
}

const rsLine = (rs: ReplicaSet): string => `${rs.metadata.name} (${n(rs.status?.replicas)}/${n(rs.spec.replicas)} replicas created)`;

export function describeDeployment(result: ObjectDescribeResult): string[] {
  const d = result.object as Deployment;
  const s = d.status ?? {};
  const rolling = d.spec.strategy?.rollingUpdate;
  const sets = result.owned.filter((o): o is ReplicaSet => o.kind === 'ReplicaSet');
  const hash = (o: ReplicaSet): string | undefined => o.metadata.annotations?.['deployment.kubernetes.io/revision'];
  const newest = [...sets].sort((a, b) => Number(hash(b) ?? 0) - Number(hash(a) ?? 0))[0];
  const newRs = newest && JSON.stringify(newest.spec.template.spec) === JSON.stringify(d.spec.template.spec) ? newest : undefined;
  const old = sets.filter((rs) => rs !== newRs && n(rs.spec.replicas) + n(rs.status?.replicas) > 0);
  const lines = [
    field('Selector', formatSelector(d.spec.selector)),
    `Replicas:               ${n(d.spec.replicas)} desired | ${n(s.updatedReplicas)} updated | ${n(s.replicas)} total | ${n(s.availableReplicas)} available | ${n(s.unavailableReplicas)} unavailable`,
    `StrategyType:           ${d.spec.strategy?.type ?? 'RollingUpdate'}`,
    `MinReadySeconds:        ${d.spec.minReadySeconds ?? 0}`,
    ...(rolling ? [`RollingUpdateStrategy:  ${String(rolling.maxUnavailable)} max unavailable, ${String(rolling.maxSurge)} max surge`] : []),
    ...templateLines(d.spec.template),
  ];
  if (s.conditions?.length) {
    lines.push(
      'Conditions:',
      ...formatTable(['Type', 'Status', 'Reason'], [['----', '------', '------'], ...s.conditions.map((c) => [c.type, c.status, c.reason ?? ''])])
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  lines.push(`OldReplicaSets:  ${old.length ? old.map(rsLine).join(', ') : '<none>'}`, `NewReplicaSet:   ${newRs ? rsLine(newRs) : '<none>'}`);
  return lines;
}

export function describeReplicaSet(result: ObjectDescribeResult): string[] {
  const rs = result.object as ReplicaSet;
  const owner = rs.metadata.ownerReferences?.find((r) => r.controller === true);
  const phases = (phase: string): number => result.pods.filter((p) => p.pod.status.phase === phase).length;
  return [
    field('Selector', formatSelector(rs.spec.selector)),
    field('Controlled By', owner ? `${owner.kind}/${owner.name}` : '<none>'),
    field('Replicas', `${n(rs.status?.replicas)} current / ${n(rs.spec.replicas)} desired`),
    `Pods Status:  ${phases('Running')} Running / ${phases('Pending')} Waiting / ${phases('Succeeded')} Succeeded / ${phases('Failed')} Failed`,
    ...templateLines(rs.spec.template),
  ];
}
