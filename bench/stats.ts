// Small statistics and reporting helpers shared by the benchmarks: medians, goals read as ratios or
// bounds, and the markdown table.
import { fileURLToPath } from 'node:url';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** A copy in random order (Fisher–Yates): the order rounds run their steps in. */
export function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export type Unit = 'ms' | 'MB' | 'lines/s';

/**
 * A goal: the value over the reference at most `maxRatio`, the value at most `maxAbove` above the
 * reference, or the value itself within [min, max].
 */
export interface Goal {
  readonly maxRatio?: number;
  readonly maxAbove?: number;
  readonly max?: number;
  readonly min?: number;
}

export interface BenchRow {
  readonly name: string;
  readonly unit: Unit;
  /** The median (or the single reading, for memory), in `unit`. */
  readonly value: number;
  readonly samples?: number;
  readonly reference?: string;
  readonly referenceValue?: number;
  readonly goal?: Goal;
}

export function ratio(row: BenchRow): number | undefined {
  return row.referenceValue ? row.value / row.referenceValue : undefined;
}

export function goalText(goal: Goal | undefined, reference: string | undefined): string {
  if (!goal) return '';
  const parts: string[] = [];
  if (goal.maxRatio !== undefined) parts.push(`≤ ${goal.maxRatio}× ${reference ?? 'reference'}`);
  if (goal.maxAbove !== undefined) parts.push(`≤ ${reference ?? 'reference'} + ${goal.maxAbove}`);
  if (goal.max !== undefined) parts.push(`< ${goal.max}`);
  if (goal.min !== undefined) parts.push(`≥ ${goal.min}`);
  return parts.join(', ');
}

/** undefined when the row has no goal or its reference could not be measured. */
export function goalMet(row: BenchRow): boolean | undefined {
  const { goal } = row;
  if (!goal) return undefined;
  const r = ratio(row);
  if ((goal.maxRatio !== undefined || goal.maxAbove !== undefined) && r === undefined) return undefined;
  const above = row.value - (row.referenceValue ?? 0);
  return (
    (goal.maxRatio === undefined || (r ?? Infinity) <= goal.maxRatio) &&
    (goal.maxAbove === undefined || above <= goal.maxAbove) &&
    (goal.max === undefined || row.value < goal.max) &&
    (goal.min === undefined || row.value >= goal.min)
  );
}

function format(value: number | undefined, unit: Unit): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  return unit === 'lines/s' ? `${Math.round(value).toLocaleString('en-US')} ${unit}` : `${value.toFixed(1)} ${unit}`;
}

export function markdownTable(rows: readonly BenchRow[]): string {
  const lines = ['| measure | peapod | reference | reference value | ratio | goal | met |', '|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const rr = ratio(r);
    const met = goalMet(r);
    lines.push(
      `| ${r.name} | ${format(r.value, r.unit)} | ${r.reference ?? ''} | ${r.reference ? format(r.referenceValue, r.unit) : ''} | ${rr === undefined ? '' : `${rr.toFixed(2)}×`} | ${goalText(r.goal, r.reference)} | ${met === undefined ? '' : met ? 'yes' : 'no'} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));
