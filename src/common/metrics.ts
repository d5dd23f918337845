// A small process-wide metrics registry and the Prometheus text exposition format (version 0.0.4):
// "# HELP", "# TYPE", then one sample per line, label values escaped (\\, \", \n). Counters, gauges and
// histograms with labels are all peapod needs; values read at scrape time come in as ready families.
import { compareStrings } from './compare.js';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
  /** Suffix after the family name: "_bucket", "_sum", "_count" for histograms. */
  readonly suffix?: string;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly samples: readonly Sample[];
}

const key = (labels: Labels): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => compareStrings(a, b)));

abstract class Instrument {
  protected readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  protected add(labels: Labels, delta: number): void {
    const k = key(labels);
    const current = this.values.get(k);
    if (current) current.value += delta;
    else this.values.set(k, { labels, value: delta });
  }
}

export class Counter extends Instrument {
  inc(labels: Labels = {}, by = 1): void {
    this.add(labels, by);
  }
  family(): MetricFamily {
    return { name: this.name, help: this.help, type: 'counter', samples: [...this.values.values()] };
  }
}

export class Gauge extends Instrument {
  inc(labels: Labels = {}): void {
    this.add(labels, 1);
  }
  dec(labels: Labels = {}): void {
    this.add(labels, -1);
  }
  family(): MetricFamily {
    return { name: this.name, help: this.help, type: 'gauge', samples: [...this.values.values()] };
  }
}

export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    this.buckets.forEach((bound, i) => {
      if (value <= bound) this.counts[i] = (this.counts[i] ?? 0) + 1;
    });
  }
  family(): MetricFamily {
    const samples: Sample[] = this.buckets.map((bound, i) => ({ suffix: '_bucket', labels: { le: String(bound) }, value: this.counts[i] ?? 0 }));
    samples.push(
      { suffix: '_bucket', labels: { le: '+Inf' }, value: this.count },
      { suffix: '_sum', labels: {}, value: this.sum },
      { suffix: '_count', labels: {}, value: this.count },
    );
    return { name: this.name, help: this.help, type: 'histogram', samples };
  }
}

/** The kubelet's buckets for kubelet_pod_start_duration_seconds. */
const POD_START_BUCKETS = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];

/** peapod's own instruments, shared by the layers that count (API server, kubelet). */
export const metrics = {
  podStartSeconds: new Histogram(
    'peapod_pod_start_duration_seconds',
    'Seconds from a pod being accepted to all its containers having started, as kubelet_pod_start_duration_seconds.',
    POD_START_BUCKETS,
  ),
  inFlight: new Gauge('peapod_operations_in_flight', 'Requests being served, by door (api: the local API socket).'),
  errors: new Counter('peapod_errors_total', 'Requests answered with an error, by error kind (NotFound, InvalidArgument, ...).'),
  logRotations: new Counter('peapod_container_log_rotations_total', 'Container log files rotated.'),
  imagesCollected: new Counter('peapod_image_gc_removed_images_total', 'Images removed by image garbage collection.'),
  evictions: new Counter('peapod_evictions_total', 'Pods evicted, by the signal that was under pressure.'),
};

export function ownFamilies(): MetricFamily[] {
  return [
    metrics.podStartSeconds.family(),
    metrics.inFlight.family(),
    metrics.errors.family(),
    metrics.logRotations.family(),
    metrics.imagesCollected.family(),
    metrics.evictions.family(),
  ];
}

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export function renderExposition(families: readonly MetricFamily[]): string {
  let out = '';
  for (const family of families) {
    out += `# HELP ${family.name} ${family.help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}\n# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
      out += `${family.name}${sample.suffix ?? ''}${labels.length ? `{${labels.join(',')}}` : ''} ${formatValue(sample.value)}\n`;
    }
  }
  return out;
}
