// Usage over the last minutes, per container: memory, CPU (millicores from the cgroup's CPU time
// between two samples) and PIDs, drawn with uPlot from the samples the live stream pushes.
import uPlot from './vendor/uPlot.esm.js';
import { el } from './util.js';

const WINDOW_S = 300;
const COLORS = ['#2f6fdb', '#d9822b', '#1a9b4b', '#b03aa8', '#c62828', '#5f6b7a'];
const METRICS = [
  { key: 'memory', title: 'memory (MiB)', value: (cg) => (cg?.memoryUsageBytes === undefined ? null : cg.memoryUsageBytes / 1048576) },
  { key: 'cpu', title: 'CPU (millicores)', value: () => null },
  { key: 'pids', title: 'pids', value: (cg) => cg?.pidsCurrent ?? null },
];

export class Charts {
  constructor(root) {
    this.root = root;
    this.names = [];
    this.times = [];
    this.values = {};
    this.lastCpu = new Map();
    this.plots = [];
    root.replaceChildren();
  }

  add(sample, redraw = true) {
    const names = sample.linux.containers.map((c) => c.name);
    if (names.join('\0') !== this.names.join('\0')) this.reset(names);
    const t = sample.at / 1000;
    this.times.push(t);
    for (const c of sample.linux.containers) {
      const v = this.values[c.name];
      v.memory.push(METRICS[0].value(c.cgroup));
      v.pids.push(METRICS[2].value(c.cgroup));
      v.cpu.push(this.cpuRate(c, t));
    }
    while (this.times.length > 0 && this.times[0] < t - WINDOW_S) {
      this.times.shift();
      for (const n of this.names) for (const m of METRICS) this.values[n][m.key].shift();
    }
    if (redraw) this.draw();
  }

  cpuRate(c, t) {
    const used = c.cgroup?.cpuUsageNanos;
    const key = `${c.name}/${c.containerId}`;
    const before = this.lastCpu.get(key);
    if (used !== undefined) this.lastCpu.set(key, { t, used });
    if (used === undefined || !before || t <= before.t) return null;
    return Math.max(0, (used - before.used) / 1e6 / (t - before.t));
  }

  reset(names) {
    this.names = names;
    this.times = [];
    this.values = Object.fromEntries(names.map((n) => [n, { memory: [], cpu: [], pids: [] }]));
    const width = Math.max(260, Math.min(this.root.clientWidth || 600, 1200) / (this.root.clientWidth > 900 ? 3 : 1) - 16);
    this.plots = METRICS.map((m) => {
      const box = el('div', { class: 'chart', 'data-chart': m.key });
      this.root.append(box);
      const opts = {
        title: m.title,
        width,
        height: 140,
        legend: { show: true },
        // At least the last minute: the first samples sit at the right edge and the chart fills leftwards.
        scales: { x: { time: true, range: (_u, min, max) => [Math.min(min, max - 60), max] } },
        series: [{}, ...names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true }))],
        axes: [{ size: 28 }, { size: 48 }],
      };
      return { metric: m.key, plot: new uPlot(opts, [[], ...names.map(() => [])], box) };
    });
    this.root.replaceChildren(...this.plots.map((p) => p.plot.root.parentElement));
  }

  draw() {
    this.root.dataset.samples = String(this.times.length);
    for (const { metric, plot } of this.plots) plot.setData([this.times, ...this.names.map((n) => this.values[n][metric])]);
  }
}
