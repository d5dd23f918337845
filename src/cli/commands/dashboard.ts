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
    .action(async () => {
      const result = await (await ctx().api()).call<DashboardOpenResult>('POST', '/v1/dashboard');
      process.stdout.write(`${result.url}\n`);
      process.stderr.write('Open it in a browser on this host; the link logs in once and then is spent.\n');
    });
}
