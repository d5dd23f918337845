import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** What the daemon's POST /v1/dashboard answers (src/dashboard/server.ts). */
interface DashboardOpenResult {
  readonly url: string;
}

export function registerDashboard(program: Command, ctx: () => CliContext): void {
  program
    .command('dashboard')
    .description('serve the web dashboard on 127.0.0.1 and print a one-time login URL (PEAPOD_DASHBOARD_ADDRESS sets the port)')
    .argument('[pod]', "open this pod's Linux view")
    .option('-n, --namespace <ns>', 'namespace of the pod', 'default')
    .action(async (pod: string | undefined, opts: { namespace: string }) => {
      const result = await (await ctx().api()).call<DashboardOpenResult>('POST', '/v1/dashboard');
      // The fragment stays in the browser (never sent to the daemon) and survives the login redirect.
      const fragment = pod === undefined ? '' : `#pod=${encodeURIComponent(opts.namespace)}/${encodeURIComponent(pod)}`;
      process.stdout.write(`${result.url}${fragment}\n`);
      process.stderr.write('Open it in a browser on this host; the link logs in once and then is spent.\n');
    });
}
