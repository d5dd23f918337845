import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { InfoResult, VersionResult } from '../../api/routes/system.js';
import { PEAPOD_VERSION } from '../../common/version.js';
import { formatStructured, parseOutputFormat } from '../output.js';
import { ExitCode } from '../exit-code.js';

export function registerSystemCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('version')
    .description('print the client and daemon versions')
    .option('--client', 'print only the client version')
    .action(async (opts: { client?: boolean }) => {
      process.stdout.write(`Client Version: ${PEAPOD_VERSION}\n`);
      if (opts.client) return;
      const server = await (await ctx().api()).call<VersionResult>('GET', '/v1/version');
      process.stdout.write(`Daemon Version: ${server.version} (pid ${server.pid}, node ${server.node})\n`);
    });

  program
    .command('info')
    .description('show the runtime, network and cgroup setup, the roots, and image and pod counts')
    .option('-o, --output <format>', 'json|yaml')
    .action(async (opts: { output?: string }) => {
      const format = parseOutputFormat(opts.output, ['table', 'json', 'yaml']);
      const info = await (await ctx().api()).call<InfoResult>('GET', '/v1/info');
      if (format === 'json' || format === 'yaml') {
        process.stdout.write(formatStructured(info, format));
        return;
      }
      const lines = [
        `Version:         ${info.version}`,
        `Runtime:         ${info.host.runtime}`,
        `Conmon:          ${info.host.conmon}`,
        `Pause:           ${info.host.pause}`,
        `CNI plugins:     ${info.host.cni}`,
        `Cgroup version:  ${info.host.cgroupVersion}`,
        `Cgroup driver:   ${info.host.cgroupDriver}`,
        `Cgroup ctrls:    ${(info.host.cgroupControllers ?? []).join(' ')}`,
        `Cgroup root:     ${info.roots.cgroupRoot}`,
        `Kernel:          ${info.host.kernel}`,
        `Root:            ${info.roots.root}`,
        `Run root:        ${info.roots.runRoot}`,
        `API socket:      ${info.roots.socket}`,
        `CRI socket:      ${info.roots.criSocket || '(disabled)'}`,
        `Kubernetes API:  ${info.roots.kubeApiPort && info.roots.kubeApiPort !== '0' ? `https://127.0.0.1:${info.roots.kubeApiPort} (peapod kubeconfig)` : '(disabled)'}`,
        `Bridge:          ${info.roots.bridge} (${info.roots.subnet})`,
        `Images:          ${info.images}`,
        `Pods:            ${info.pods}`,
        ...Object.entries(info.registryMirrors ?? {}).map(([registry, urls]) => `Registry mirror: ${registry} → ${urls.join(', ')}`),
        ...(info.host.cgroupProblem !== undefined ? [`ERROR:           ${info.host.cgroupProblem}`] : []),
        ...operationsLines(info),
        ...(info.warnings ?? []).map((w) => `WARNING:         ${w}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  program
    .command('daemon')
    .description('run the peapod daemon in the foreground')
    .action(async () => {
      // Never bundled: the daemon runs from dist/'s modules (see run-daemon.ts).
      const { runDaemon } = await import('../run-daemon.js');
      const code = await runDaemon(ctx().config);
      if (code !== 0) throw new ExitCode(code);
    });
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Disk use and the state of GC, log rotation, eviction and metrics; the bound on sandboxes made at once. */
function operationsLines(info: InfoResult): string[] {
  const ops = info.operations;
  if (!ops) return [];
  const gc = ops.imageGc;
  return [
    `Disk (root):     ${ops.disk.usedPercent}% used, ${mib(ops.disk.availableBytes)} free of ${mib(ops.disk.capacityBytes)}; logs ${mib(ops.disk.logsBytes)}, image blobs ${mib(ops.disk.imageBlobsBytes)}`,
    `Image GC:        at ${gc.highPercent}% down to ${gc.lowPercent}%; last pass ${gc.lastRunAt ?? 'not yet'}; ${gc.imagesRemoved} image(s) removed${gc.lastError ? `; last error: ${gc.lastError}` : ''}`,
    `Log rotation:    ${mib(ops.logRotation.maxSize)} x ${ops.logRotation.maxFiles} files${ops.logRotation.compress ? ', older files gzipped' : ''}; ${ops.logRotation.rotations} rotation(s)`,
    `Eviction:        ${ops.eviction.hard}${ops.eviction.underPressure.length ? `; UNDER PRESSURE: ${ops.eviction.underPressure.join(', ')}` : ''}`,
    `Metrics:         ${ops.metricsAddress ? `http://${ops.metricsAddress}/metrics` : 'off'}`,
    `Pod starts:      at most ${ops.maxParallelPodStarts} sandboxes made at once`,
  ];
}
