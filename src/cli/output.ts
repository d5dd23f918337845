// kubectl's output conventions: tables with upper-case headers separated by three spaces, and -o json|yaml.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { PeapodError } from '../common/errors.js';

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml' | 'name';

export function parseOutputFormat(value: string | undefined, allowed: readonly OutputFormat[] = ['table', 'wide', 'json', 'yaml']): OutputFormat {
  if (value === undefined || value === '') return 'table';
  if ((allowed as readonly string[]).includes(value) && value !== 'table') return value as OutputFormat;
  const shown = allowed.filter((f) => f !== 'table').join(', ');
  throw new PeapodError('InvalidArgument', `unable to match a printer suitable for the output format "${value}", allowed formats are: ${shown}`);
}

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** yaml is loaded on first use: most invocations print tables, and every ms of CLI start-up counts. */
const requireYaml = (): typeof Yaml => createRequire(import.meta.url)('yaml') as typeof Yaml;

export function formatStructured(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(value, null, 4)}\n` : requireYaml().stringify(value, { lineWidth: 0 });
}

/** kubectl-style age: 5s, 3m, 2h, 4d. */
export function formatAge(since: Date | string | number, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.floor((now - new Date(since).getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value}B` : `${value.toFixed(value < 10 ? 2 : 1)}${units[unit] ?? ''}`;
}
