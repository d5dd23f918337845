// The picture the seeds draw by hand, for the real pod: the sandbox as a box holding its containers
// (PIDs, cgroup paths, limits and usage read from the cgroup files), then one lane per namespace
// type: the host's inode, the sandbox's (pause) and each container's, coloured by what it shares.
import { el, bytes, limit, cpuLimit, kv } from './util.js';

const TYPES = ['net', 'ipc', 'uts', 'pid', 'mnt', 'cgroup', 'user'];

function cgroupLines(cg) {
  if (!cg) return [kv('cgroup', 'not running')];
  return [
    kv('cgroup', cg.path),
    kv('memory', `${bytes(cg.memoryUsageBytes)} of ${limit(cg.memoryLimitBytes, bytes)}`),
    kv('cpu', `limit ${cpuLimit(cg)}, shares ${cg.cpuShares ?? cg.cpuWeight ?? '—'}`),
    kv('pids', `${cg.pidsCurrent ?? '—'} of ${limit(cg.pidsLimit)}`),
  ];
}

function statusOf(view, name) {
  return [
    ...(view.pod.status?.containerStatuses ?? []),
    ...(view.pod.status?.initContainerStatuses ?? []),
    ...(view.pod.status?.ephemeralContainerStatuses ?? []),
  ].find((s) => s.name === name);
}

export function renderLinux(boxes, lanes, view, linux) {
  const containers = linux.containers.map((c) => {
    const status = statusOf(view, c.name);
    return el(
      'div',
      { class: 'box', 'data-container': c.name, 'data-pid': c.pid ?? '' },
      el('div', { class: 'title', text: `container ${c.name}` }),
      kv('PID', c.pid ?? '—'),
      kv('id', c.containerId.slice(0, 12)),
      kv('restarts', status?.restartCount ?? 0),
      ...cgroupLines(c.cgroup),
    );
  });
  boxes.replaceChildren(
    el(
      'div',
      { class: 'sandbox', 'data-sandbox': linux.sandboxId ?? '' },
      el('div', { class: 'title', text: `pod sandbox ${linux.sandboxId ? linux.sandboxId.slice(0, 12) : '(none)'}` }),
      kv('pause PID', linux.pausePid ?? '—'),
      kv('pod IP', view.pod.status?.podIP ?? '—'),
      ...cgroupLines(linux.podCgroup),
      el('div', { class: 'boxes' }, ...containers),
    ),
  );
  const head = el(
    'tr',
    {},
    el('th', { text: 'namespace' }),
    el('th', { text: 'host' }),
    el('th', { text: `sandbox (pause ${linux.pausePid ?? '—'})` }),
    ...linux.containers.map((c) => el('th', { text: `${c.name} (${c.pid ?? '—'})` })),
  );
  const rows = TYPES.map((type) => {
    const host = linux.hostNamespaces?.[type];
    const sandbox = linux.sandboxNamespaces?.[type];
    const sandboxSharing = sandbox === undefined ? 'unknown' : sandbox === host ? 'host' : 'sandbox';
    return el(
      'tr',
      { 'data-ns': type },
      el('th', { text: type }),
      el('td', { class: 'ns', 'data-sharing': 'host', 'data-inode': host ?? '', text: host ?? '—' }),
      el('td', {
        class: 'ns',
        'data-sharing': sandboxSharing,
        'data-inode': sandbox ?? '',
        text: sandbox === undefined ? '—' : sandboxSharing === 'host' ? `${sandbox} (host)` : sandbox,
      }),
      ...linux.containers.map((c) => {
        const ns = c.namespaces.find((n) => n.type === type);
        const label = ns?.inode === undefined ? '—' : `${ns.inode} ${ns.sharing === 'own' ? 'own' : ns.sharing === 'host' ? '(host)' : '(sandbox)'}`;
        return el('td', {
          class: 'ns',
          'data-container': c.name,
          'data-ns': type,
          'data-sharing': ns?.sharing ?? 'unknown',
          'data-inode': ns?.inode ?? '',
          text: label,
        });
      }),
    );
  });
  lanes.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
}
