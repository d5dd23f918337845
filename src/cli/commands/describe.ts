import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { DescribeResult } from '../../api/routes/pods.js';
import { PeapodError } from '../../common/errors.js';
import { formatDescribe } from './describe-format.js';

export function registerDescribe(program: Command, ctx: () => CliContext): void {
  program
    .command('describe')
    .description('show a pod in detail, with events and its Linux view (PIDs, namespaces, cgroups)')
    .argument('<resource>', 'pod')
    .argument('<name>', 'pod name')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .action(async (resource: string, name: string, opts: { namespace: string }) => {
      if (!['pod', 'pods', 'po'].includes(resource)) throw new PeapodError('InvalidArgument', `the server doesn't have a resource type "${resource}"`);
      const api = await ctx().api();
      const result = await api.call<DescribeResult>('GET', `/v1/namespaces/${encodeURIComponent(opts.namespace)}/pods/${encodeURIComponent(name)}/describe`);
      process.stdout.write(formatDescribe(result));
    });
}
