// `peapod describe pod` text, in kubectl's layout, plus the Linux view section.
import type { DescribeResult } from '../../api/routes/pods.js';
import type { ContainerStatus, Container } from '../../kube/types.js';
import type { CgroupReadback } from '../../host/cgroups/types.js';
import { formatAge, formatBytes, formatTable } from '../output.js';

const pad = (label: string, width = 18): string => `${label}:`.padEnd(width);

function stateLines(status: ContainerStatus | undefined, indent: string): string[] {
  const out: string[] = [];
  const state = status?.state;
  if (state?.running) out.push(`${indent}${pad('State', 16)}Running`, `${indent}  ${pad('Started', 14)}${state.running.startedAt ?? ''}`);
  else if (state?.terminated) {
    const t = state.terminated;
    out.push(`${indent}${pad('State', 16)}Terminated`, `${indent}  ${pad('Reason', 14)}${t.reason ?? ''}`, `${indent}  ${pad('Exit Code', 14)}${t.exitCode}`);
    if (t.signal !== undefined) out.push(`${indent}  ${pad('Signal', 14)}${t.signal}`);
    if (t.startedAt) out.push(`${indent}  ${pad('Started', 14)}${t.startedAt}`);
    out.push(`${indent}  ${pad('Finished', 14)}${t.finishedAt ?? ''}`);
  } else out.push(`${indent}${pad('State', 16)}Waiting`, `${indent}  ${pad('Reason', 14)}${state?.waiting?.reason ?? ''}`);
  const last = status?.lastState.terminated;
  if (last) {
    out.push(
      `${indent}${pad('Last State', 16)}Terminated`,
      `${indent}  ${pad('Reason', 14)}${last.reason ?? ''}`,
      `${indent}  ${pad('Exit Code', 14)}${last.exitCode}`,
    );
    if (last.finishedAt) out.push(`${indent}  ${pad('Finished', 14)}${last.finishedAt}`);
  }
  out.push(`${indent}${pad('Ready', 16)}${status?.ready ? 'True' : 'False'}`, `${indent}${pad('Restart Count', 16)}${status?.restartCount ?? 0}`);
  return out;
}

function containerSection(title: string, containers: readonly Container[], statuses: readonly ContainerStatus[]): string[] {
  if (containers.length === 0) return [];
  const out = [`${title}:`];
  for (const c of containers) {
    const s = statuses.find((x) => x.name === c.name);
    out.push(`  ${c.name}:`);
    out.push(
      `    ${pad('Container ID', 16)}${s?.containerID ?? ''}`,
      `    ${pad('Image', 16)}${c.image ?? ''}`,
      `    ${pad('Image ID', 16)}${s?.imageID ?? ''}`,
    );
    if (c.ports?.length) out.push(`    ${pad('Port', 16)}${c.ports.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ')}`);
    if (c.command) out.push(`    Command:`, ...c.command.map((a) => `      ${a}`));
    if (c.args) out.push(`    Args:`, ...c.args.map((a) => `      ${a}`));
    out.push(...stateLines(s, '    '));
    const limits = Object.entries(c.resources?.limits ?? {});
    const requests = Object.entries(c.resources?.requests ?? {});
    if (limits.length) out.push('    Limits:', ...limits.map(([k, v]) => `      ${k}: ${v}`));
    if (requests.length) out.push('    Requests:', ...requests.map(([k, v]) => `      ${k}: ${v}`));
    if (c.volumeMounts?.length)
      out.push(
        '    Mounts:',
        ...c.volumeMounts.map((m) => `      ${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'}${m.subPath ? `,path="${m.subPath}"` : ''})`),
      );
  }
  return out;
}

function limitsText(cg: CgroupReadback | undefined): string {
  if (!cg) return '<none>';
  const parts: string[] = [];
  if (cg.cpuShares !== undefined) parts.push(`cpu.shares=${cg.cpuShares}`);
  if (cg.cpuWeight !== undefined) parts.push(`cpu.weight=${cg.cpuWeight}`);
  parts.push(cg.cpuQuotaUs !== undefined && cg.cpuQuotaUs > 0 ? `cpu.quota=${cg.cpuQuotaUs}/${cg.cpuPeriodUs ?? 100000}us` : 'cpu.quota=max');
  parts.push(`memory.limit=${cg.memoryLimitBytes === undefined ? 'max' : `${cg.memoryLimitBytes} (${formatBytes(cg.memoryLimitBytes)})`}`);
  parts.push(`pids.max=${cg.pidsLimit ?? 'max'}`);
  if (cg.memoryUsageBytes !== undefined) parts.push(`memory.usage=${formatBytes(cg.memoryUsageBytes)}`);
  return parts.join('  ');
}

function linuxSection(result: DescribeResult): string[] {
  const { linux } = result;
  const out = ['Linux View:'];
  out.push(`  ${pad('Sandbox', 16)}${linux.sandboxId?.slice(0, 12) ?? '<none>'}  pause pid ${linux.pausePid ?? '<none>'}`);
  out.push(`  ${pad('Pod cgroup', 16)}${linux.podCgroup?.path ?? '<none>'}`);
  out.push(`  ${pad('Pod limits', 16)}${limitsText(linux.podCgroup)}`);
  for (const c of linux.containers) {
    out.push(`  ${c.name}:`);
    out.push(`    ${pad('PID', 16)}${c.pid ?? '<not running>'}`);
    out.push(`    ${pad('Cgroup', 16)}${c.cgroup?.path ?? '<none>'}`);
    out.push(`    ${pad('Limits', 16)}${limitsText(c.cgroup)}`);
    out.push('    Namespaces:');
    const table = formatTable(
      ['TYPE', 'INODE', 'SHARING'],
      c.namespaces.map((n) => [n.type, n.inode === undefined ? '-' : String(n.inode), n.sharing]),
    );
    out.push(
      ...table
        .trimEnd()
        .split('\n')
        .map((l) => `      ${l}`),
    );
  }
  return out;
}

export function formatDescribe(result: DescribeResult): string {
  const { pod } = result.view;
  const status = pod.status;
  const lines = [
    `${pad('Name')}${pod.metadata.name}`,
    `${pad('Namespace')}${pod.metadata.namespace ?? 'default'}`,
    `${pad('Node')}localhost/${status.hostIP ?? ''}`,
    `${pad('Start Time')}${status.startTime ?? '<none>'}`,
    `${pad('Labels')}${
      Object.entries(pod.metadata.labels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join('\n' + ' '.repeat(18)) || '<none>'
    }`,
    // kubectl describe shows the phase here (get pods shows the display status).
    `${pad('Status')}${result.view.displayStatus === 'Terminating' ? 'Terminating' : (status.phase ?? 'Unknown')}`,
    ...(status.reason ? [`${pad('Reason')}${status.reason}`] : []),
    ...(status.message ? [`${pad('Message')}${status.message}`] : []),
    `${pad('IP')}${status.podIP ?? '<none>'}`,
    `${pad('QoS Class')}${status.qosClass ?? ''}`,
    `${pad('Owner')}${result.view.source === 'static' ? 'static pod (manifest directory)' : 'peapod'}`,
    ...containerSection('Init Containers', pod.spec.initContainers ?? [], status.initContainerStatuses ?? []),
    ...containerSection('Containers', pod.spec.containers, status.containerStatuses ?? []),
    ...containerSection('Ephemeral Containers', pod.spec.ephemeralContainers ?? [], status.ephemeralContainerStatuses ?? []),
    'Conditions:',
    ...formatTable(
      ['Type', 'Status'],
      (status.conditions ?? []).map((c) => [c.type, c.status]),
    )
      .trimEnd()
      .split('\n')
      .map((l) => `  ${l}`),
    'Volumes:',
    ...(pod.spec.volumes ?? []).map(
      (v) =>
        `  ${v.name}: ${Object.keys(v)
          .filter((k) => k !== 'name')
          .join(', ')}`,
    ),
    ...linuxSection(result),
    'Events:',
  ];
  if (result.events.length === 0) lines.push('  <none>');
  else {
    const rows = result.events.map((e) => [
      e.type,
      e.reason,
      e.count > 1 ? `${formatAge(e.lastTimestamp)} (x${e.count} over ${formatAge(e.firstTimestamp)})` : formatAge(e.firstTimestamp),
      'peapod',
      e.message,
    ]);
    lines.push(
      ...formatTable(['Type', 'Reason', 'Age', 'From', 'Message'], rows)
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  return `${lines.join('\n')}\n`;
}
