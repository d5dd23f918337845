// Small statistics and reporting helpers shared by the benchmarks.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export interface BenchRow {
  readonly name: string;
  readonly unit: 'ms' | 'MB' | 'lines/s';
  readonly value: number;
  readonly reference?: string;
  readonly referenceValue?: number;
  readonly goal?: string;
}

export function ratio(row: BenchRow): string {
  return row.referenceValue ? (row.value / row.referenceValue).toFixed(2) : '';
}

export function markdownTable(rows: readonly BenchRow[]): string {
  const lines = ['| measure | peapod | reference | reference value | ratio | goal |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(`| ${r.name} | ${r.value.toFixed(1)} ${r.unit} | ${r.reference ?? ''} | ${r.referenceValue === undefined ? '' : `${r.referenceValue.toFixed(1)} ${r.unit}`} | ${ratio(r)} | ${r.goal ?? ''} |`);
  }
  return `${lines.join('\n')}\n`;
}

export async function writeResults(name: string, rows: readonly BenchRow[], extra: Record<string, unknown> = {}): Promise<string> {
  const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().slice(0, 10);
  const file = join(dir, `${name}-${stamp}.json`);
  await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), rows, ...extra }, null, 2)}\n`);
  await writeFile(join(dir, `${name}-${stamp}.md`), markdownTable(rows));
  return file;
}
