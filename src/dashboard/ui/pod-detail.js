// One pod, looked at: its live stream (Linux view + usage + build steps, pushed every 2 s and on each
// change) drives the Linux view, the charts and the timeline; logs and terminal open on demand.
import { podKey } from './util.js';
import { renderLinux } from './linux.js';
import { Charts } from './charts.js';
import { renderTimeline } from './timeline.js';
import { openLogs, closeLogs } from './logs.js';
import { prepareTerminal, closeTerminal } from './terminal.js';

const current = { view: undefined, source: undefined, charts: undefined, detail: 'linux', last: undefined };

function containerNames(view) {
  return [...(view.pod.spec.initContainers ?? []), ...view.pod.spec.containers, ...(view.pod.spec.ephemeralContainers ?? [])].map((c) => c.name);
}

function fillSelect(id, names) {
  const select = document.getElementById(id);
  const keep = select.value;
  select.replaceChildren(...names.map((n) => Object.assign(document.createElement('option'), { value: n, textContent: n })));
  if (names.includes(keep)) select.value = keep;
  else if (names.length > 0) select.value = view0Default(names);
}

function view0Default(names) {
  const main = current.view?.pod.spec.containers[0]?.name;
  return names.includes(main) ? main : names[0];
}

export function showPod(view) {
  const same = current.view && podKey(current.view) === podKey(view);
  current.view = view;
  document.getElementById('pod-detail').hidden = false;
  document.getElementById('pod-title').textContent = `pod ${podKey(view)}`;
  fillSelect('log-container', containerNames(view));
  fillSelect('term-container', view.pod.spec.containers.map((c) => c.name).concat((view.pod.spec.ephemeralContainers ?? []).map((c) => c.name)));
  if (same) return;
  closeLogs();
  closeTerminal();
  current.source?.close();
  current.charts = new Charts(document.getElementById('charts'));
  const ns = encodeURIComponent(view.pod.metadata.namespace ?? 'default');
  const name = encodeURIComponent(view.pod.metadata.name);
  current.source = new EventSource(`/api/pods/${ns}/${name}/live`);
  const draw = (sample) => {
    current.last = sample;
    renderLinux(document.getElementById('linux-boxes'), document.getElementById('ns-lanes'), current.view, sample.linux);
    renderTimeline(document.getElementById('timeline'), sample.timeline);
  };
  // The last minutes the daemon kept, then each new sample as it is taken.
  current.source.addEventListener('history', (e) => {
    const samples = JSON.parse(e.data);
    for (const sample of samples) current.charts.add(sample, false);
    current.charts.draw();
    if (samples.length > 0) draw(samples[samples.length - 1]);
  });
  current.source.addEventListener('linux', (e) => {
    const sample = JSON.parse(e.data);
    current.charts.add(sample);
    draw(sample);
  });
  switchDetail(current.detail);
}

export function updatePodView(view) {
  showPod(view);
  if (current.last) renderLinux(document.getElementById('linux-boxes'), document.getElementById('ns-lanes'), view, current.last.linux);
}

export function hidePod() {
  current.source?.close();
  current.source = undefined;
  current.view = undefined;
  closeLogs();
  closeTerminal();
  document.getElementById('pod-detail').hidden = true;
}

function switchDetail(detail) {
  current.detail = detail;
  for (const b of document.querySelectorAll('.detail-tabs button')) b.classList.toggle('active', b.dataset.detail === detail);
  for (const d of document.querySelectorAll('.detail')) d.hidden = d.id !== `detail-${detail}`;
  if (detail === 'logs' && current.view) openLogs(current.view);
  else closeLogs();
  if (detail === 'terminal' && current.view) prepareTerminal(current.view);
}

for (const b of document.querySelectorAll('.detail-tabs button')) b.addEventListener('click', () => switchDetail(b.dataset.detail));
for (const id of ['log-container', 'log-follow', 'log-previous']) {
  document.getElementById(id).addEventListener('change', () => current.view && openLogs(current.view));
}
