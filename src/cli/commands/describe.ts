import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { DescribeResult } from '../../api/routes/pods.js';
import { PeapodError } from '../../common/errors.js';
import { formatDescribe } from './describe-format.js';
import { kindLookup } from '../kinds.js';
import type { ObjectDescribeResult } from '../../api/routes/objects.js';

export function registerDescribe(program: Command, ctx: () => CliContext): void {
  program
    .command('describe')
    .description('show a pod (with its Linux view: PIDs, namespaces, cgroups), a deployment, a service, ... in detail, with events')
    .argument('<resource>', 'pod|deployment|rs|sts|ds|job|cronjob|svc|pvc|... (or TYPE/NAME)')
    .argument('[name]', 'name')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .action(async (resourceArg: string, nameArg: string | undefined, opts: { namespace: string }) => {
      const [resource = '', name = ''] = nameArg === undefined && resourceArg.includes('/') ? resourceArg.split('/', 2) : [resourceArg, nameArg ?? ''];
      if (name === '') throw new PeapodError('InvalidArgument', 'you must specify the name of the object to describe');
      const api = await ctx().api();
      if (!['pod', 'pods', 'po'].includes(resource)) {
        const info = (await kindLookup(true)).kindForResource(resource);
        if (!info) throw new PeapodError('InvalidArgument', `the server doesn't have a resource type "${resource}"`);
        const path = `/v1/namespaces/${encodeURIComponent(opts.namespace)}/objects/${info.plural}/${encodeURIComponent(name)}/describe`;
        // The describers come with the kinds' table (cli/kinds.ts): loaded for these kinds only, not for pods.
        const { formatObjectDescribe } = await import('./describers/index.js');
        process.stdout.write(formatObjectDescribe(await api.call<ObjectDescribeResult>('GET', path)));
        return;
      }
      const result = await api.call<DescribeResult>('GET', `/v1/namespaces/${encodeURIComponent(opts.namespace)}/pods/${encodeURIComponent(name)}/describe`);
      process.stdout.write(formatDescribe(result));
    });
}
