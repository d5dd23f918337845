// The node's cgroup tree (kubepods → QoS → pods → containers), read when the tab is shown and again
// when a pod changes (pushed), with each pod's requests against the node's capacity.
import { el, bytes, limit, cpuLimit } from './util.js';

function share(part, whole) {
  const pct = whole > 0 ? Math.min(100, (part / whole) * 100) : 0;
  const bar = el('span', { class: 'bar' });
  bar.style.width = `${Math.max(1, pct * 0.6)}px`;
  return el('span', {}, bar, `${pct.toFixed(1)}%`);
}

export async function showCgroups() {
  const res = await fetch('/api/cgroups');
  if (!res.ok) return;
  const tree = await res.json();
  const { cpuMilli, memoryBytes } = tree.capacity;
  const requested = tree.nodes
    .filter((n) => n.requests)
    .reduce((a, n) => ({ cpu: a.cpu + n.requests.cpuMilli, mem: a.mem + n.requests.memoryBytes }), { cpu: 0, mem: 0 });
  document.getElementById('capacity').textContent =
    `Node capacity: ${cpuMilli}m CPU, ${bytes(memoryBytes)} memory. Requested by pods: ${requested.cpu}m CPU (${((requested.cpu / cpuMilli) * 100).toFixed(1)}%), ${bytes(requested.mem)} (${((requested.mem / memoryBytes) * 100).toFixed(1)}%).` +
    (tree.truncated ? ' (tree cut at 500 cgroups)' : '');
  document.querySelector('#cgroups tbody').replaceChildren(
    ...tree.nodes.map((n) => {
      const cg = n.readback ?? {};
      const name = el('td', { title: n.path, text: `${'  '.repeat(n.depth)}${n.depth > 0 ? '└ ' : ''}${n.label}` });
      name.style.whiteSpace = 'pre';
      return el(
        'tr',
        { 'data-kind': n.kind, 'data-path': n.path },
        name,
        el('td', { text: n.kind }),
        el(
          'td',
          {},
          n.requests
            ? el(
                'span',
                {},
                `${n.requests.cpuMilli}m `,
                share(n.requests.cpuMilli, cpuMilli),
                ` ${bytes(n.requests.memoryBytes)} `,
                share(n.requests.memoryBytes, memoryBytes),
              )
            : '',
        ),
        el('td', { text: `${bytes(cg.memoryUsageBytes)} / ${limit(cg.memoryLimitBytes, bytes)}` }),
        el('td', { text: `limit ${cpuLimit(cg)}` }),
        el('td', { text: `${cg.pidsCurrent ?? '—'} / ${limit(cg.pidsLimit)}` }),
      );
    }),
  );
}
