// The dashboard page: one EventSource carries every pod change (no polling); the rest of the page is
// drawn from that state. Views of one pod (Linux view, timeline, logs, terminal) live in their modules.
import { el, age, podKey, matchesSelector } from './util.js';
import { showPod, hidePod, updatePodView } from './pod-detail.js';
import { showCgroups } from './cgroups.js';
import { showImages } from './images.js';

const state = { pods: new Map(), selected: undefined, tab: 'pods' };

function ready(view) {
  const statuses = view.pod.status?.containerStatuses ?? [];
  return `${statuses.filter((s) => s.ready).length}/${view.pod.spec.containers.length}`;
}

function restarts(view) {
  return (view.pod.status?.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0);
}

function owner(view) {
  const ref = view.pod.metadata.ownerReferences?.[0];
  if (ref) return `${ref.kind}/${ref.name}`;
  return view.source === 'static' ? 'static manifest' : view.source;
}

function visible(view) {
  const ns = document.getElementById('ns-filter').value;
  const selector = document.getElementById('label-filter').value;
  return (ns === '' || (view.pod.metadata.namespace ?? 'default') === ns) && matchesSelector(view.pod.metadata.labels ?? {}, selector);
}

function renderPods() {
  const body = document.querySelector('#pods tbody');
  const rows = [...state.pods.values()]
    .map((u) => u.view)
    .filter(visible)
    .sort((a, b) => podKey(a).localeCompare(podKey(b)));
  body.replaceChildren(
    ...rows.map((view) =>
      el(
        'tr',
        { 'data-pod': podKey(view), class: podKey(view) === state.selected ? 'selected' : '', onclick: () => select(podKey(view)) },
        el('td', { text: view.pod.metadata.name }),
        el('td', { text: view.pod.metadata.namespace ?? 'default' }),
        el('td', { text: ready(view), 'data-col': 'ready' }),
        el('td', { text: view.displayStatus, class: view.displayStatus, 'data-col': 'status' }),
        el('td', { text: restarts(view), 'data-col': 'restarts' }),
        el('td', { text: age(view.pod.metadata.creationTimestamp) }),
        el('td', { text: view.pod.status?.podIP ?? '' }),
        el('td', { text: owner(view) }),
      ),
    ),
  );
  document.getElementById('no-pods').hidden = state.pods.size > 0;
  renderNamespaces();
  renderEvents();
}

function renderNamespaces() {
  const select = document.getElementById('ns-filter');
  const current = select.value;
  const names = [...new Set([...state.pods.values()].map((u) => u.view.pod.metadata.namespace ?? 'default'))].sort();
  select.replaceChildren(el('option', { value: '', text: 'all' }), ...names.map((n) => el('option', { value: n, text: n })));
  select.value = names.includes(current) ? current : '';
}

function renderEvents() {
  const events = [...state.pods.values()]
    .filter((u) => visible(u.view))
    .flatMap((u) => u.events.map((e) => ({ ...e, pod: podKey(u.view) })))
    .sort((a, b) => b.lastTimestamp.localeCompare(a.lastTimestamp))
    .slice(0, 100);
  document
    .querySelector('#events tbody')
    .replaceChildren(
      ...events.map((e) =>
        el(
          'tr',
          {},
          el('td', { text: age(e.lastTimestamp) }),
          el('td', { text: e.type }),
          el('td', { text: e.reason }),
          el('td', { text: `${e.pod} ${e.object}` }),
          el('td', { text: e.count > 1 ? `${e.message} (x${e.count})` : e.message }),
        ),
      ),
    );
}

/** `#pod=<ns>/<name>` (from `peapod dashboard <pod>`, or a reload) opens that pod once it is known. */
function podFromHash() {
  const m = /^#pod=([^/]+)\/(.+)$/.exec(location.hash);
  return m ? `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}` : undefined;
}

function select(key) {
  state.selected = key;
  history.replaceState(null, '', `#pod=${key.split('/').map(encodeURIComponent).join('/')}`);
  const update = [...state.pods.values()].find((u) => podKey(u.view) === key);
  if (update) showPod(update.view);
  renderPods();
}

function connect() {
  const conn = document.getElementById('conn');
  const source = new EventSource('/api/events');
  source.addEventListener('open', () => {
    conn.dataset.state = 'live';
    conn.textContent = 'live';
  });
  source.addEventListener('error', () => {
    conn.dataset.state = 'lost';
    conn.textContent = 'reconnecting…';
  });
  source.addEventListener('snapshot', (e) => {
    state.pods = new Map(JSON.parse(e.data).map((u) => [u.uid, u]));
    renderPods();
    const wanted = podFromHash();
    if (state.selected === undefined && wanted && [...state.pods.values()].some((u) => podKey(u.view) === wanted)) select(wanted);
  });
  source.addEventListener('pod', (e) => {
    const u = JSON.parse(e.data);
    state.pods.set(u.uid, u);
    renderPods();
    if (state.selected === undefined && podKey(u.view) === podFromHash()) select(podKey(u.view));
    if (podKey(u.view) === state.selected) updatePodView(u.view);
    if (state.tab === 'cgroups') void showCgroups();
    if (state.tab === 'images') void showImages([...state.pods.values()].map((p) => p.view));
  });
  source.addEventListener('deleted', (e) => {
    const { uid } = JSON.parse(e.data);
    const gone = state.pods.get(uid);
    state.pods.delete(uid);
    if (gone && podKey(gone.view) === state.selected) {
      state.selected = undefined;
      hidePod();
    }
    renderPods();
  });
}

function switchTab(tab) {
  state.tab = tab;
  for (const b of document.querySelectorAll('nav button')) b.classList.toggle('active', b.dataset.tab === tab);
  for (const s of document.querySelectorAll('.tab')) s.hidden = s.id !== `tab-${tab}`;
  if (tab === 'cgroups') void showCgroups();
  if (tab === 'images') void showImages([...state.pods.values()].map((p) => p.view));
}

for (const b of document.querySelectorAll('nav button')) b.addEventListener('click', () => switchTab(b.dataset.tab));
document.getElementById('ns-filter').addEventListener('change', renderPods);
document.getElementById('label-filter').addEventListener('input', renderPods);
// Ages are relative: redrawn each half minute from the state already here (no request).
setInterval(renderPods, 30_000);
connect();
