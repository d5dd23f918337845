// `peapod top pods|containers`: CPU (cores, as millicores) and memory (working set) per pod or container,
// as `kubectl top` prints them, from the daemon's cgroup samples (GET /v1/stats).
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { ContainerUsage, StatsResult } from '../../api/routes/stats.js';
import { PeapodError } from '../../common/errors.js';

const cpu = (cores: number | undefined): string => (cores === undefined ? '<unknown>' : `${Math.round(cores * 1000)}m`);
const memory = (bytes: number | undefined): string => (bytes === undefined ? '<unknown>' : `${Math.round(bytes / 1024 / 1024)}Mi`);
const sum = (values: (number | undefined)[]): number | undefined =>
  values.some((v) => v === undefined) ? undefined : values.reduce<number>((a, v) => a + (v ?? 0), 0);

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3)))
          .join('')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export function registerTop(program: Command, ctx: () => CliContext): void {
  program
    .command('top')
    .description('show CPU and memory use of pods or containers (like kubectl top)')
    .argument('<kind>', 'pods|containers')
    .option('-n, --namespace <ns>', 'namespace (default: every namespace)')
    .action(async (kind: string, opts: { namespace?: string }) => {
      if (!['pods', 'pod', 'po', 'containers', 'container'].includes(kind))
        throw new PeapodError('InvalidArgument', `top: unknown kind "${kind}" (pods or containers)`);
      const { containers } = await (await ctx().api()).call<StatsResult>('GET', '/v1/stats');
      const mine = containers.filter((c) => opts.namespace === undefined || c.namespace === opts.namespace);
      const byPod = new Map<string, ContainerUsage[]>();
      for (const c of mine) byPod.set(`${c.namespace}/${c.pod}`, [...(byPod.get(`${c.namespace}/${c.pod}`) ?? []), c]);
      const sorted = [...byPod.entries()].sort(([a], [b]) => a.localeCompare(b));
      if (kind.startsWith('po')) {
        const rows = sorted.map(([, cs]) => [
          cs[0]?.namespace ?? '',
          cs[0]?.pod ?? '',
          cpu(sum(cs.map((c) => c.cpuCores))),
          memory(sum(cs.map((c) => c.memoryWorkingSetBytes))),
        ]);
        process.stdout.write(table([['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'], ...rows]));
        return;
      }
      const rows = sorted.flatMap(([, cs]) => cs.map((c) => [c.namespace, c.pod, c.container, cpu(c.cpuCores), memory(c.memoryWorkingSetBytes)]));
      process.stdout.write(table([['NAMESPACE', 'POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'], ...rows]));
    });
}
