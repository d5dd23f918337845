import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { InfoResult, VersionResult } from '../../api/routes/system.js';
import { PEAPOD_VERSION } from '../../common/version.js';
import { formatStructured, parseOutputFormat } from '../output.js';
import { DAEMON_ALREADY_RUNNING_EXIT, ExitCode } from '../exit-code.js';

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
        ...(info.warnings ?? []).map((w) => `WARNING:         ${w}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  program
    .command('daemon')
    .description('run the peapod daemon in the foreground')
    .action(async () => {
      const log = (message: string): void => {
        process.stderr.write(`${new Date().toISOString()} ${message}\n`);
      };
      const { applyDaemonFlagsAtRuntime } = await import('../daemon-flags.js');
      applyDaemonFlagsAtRuntime();
      // Loaded only here: the daemon's code is most of peapod and no other verb needs it.
      const { startDaemon } = await import('../../daemon/daemon.js');
      const handle = await startDaemon(ctx().config, log).catch(async (err: unknown) => {
        // A daemon that failed to start exits once its error is printed, even if some watcher or
        // timer it had started still holds the event loop (a second daemon must not linger).
        setTimeout(() => process.exit(1), 200).unref();
        const { StateLockHeld } = await import('../../host/state-lock.js');
        if (!(err instanceof StateLockHeld)) throw err;
        const { formatCliError } = await import('../main.js');
        process.stderr.write(formatCliError(err));
        throw new ExitCode(DAEMON_ALREADY_RUNNING_EXIT);
      });
      await new Promise<void>((resolve) => {
        const stop = (signal: string): void => {
          log(`received ${signal}, shutting down`);
          resolve();
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      await handle.close();
    });
}
