import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { PodView } from '../../api/routes/pods.js';
import { PeapodError } from '../../common/errors.js';
import { formatAge, formatStructured, formatTable, parseOutputFormat } from '../output.js';

interface GetOptions {
  output?: string;
  namespace?: string;
  allNamespaces?: boolean;
  watch?: boolean;
}

const POD_WORDS = new Set(['pod', 'pods', 'po']);

export function podRow(view: PodView, wide: boolean, withNamespace: boolean): string[] {
  const statuses = view.pod.status.containerStatuses ?? [];
  const ready = `${statuses.filter((s) => s.ready).length}/${view.pod.spec.containers.length}`;
  const restarts = statuses.reduce((n, s) => n + s.restartCount, 0);
  const lastRestart = statuses
    .map((s) => s.lastState.terminated?.finishedAt)
    .filter((t): t is string => t !== undefined)
    .sort()
    .pop();
  const restartText = lastRestart && restarts > 0 ? `${restarts} (${formatAge(lastRestart)} ago)` : String(restarts);
  const row = [view.pod.metadata.name, ready, view.displayStatus, restartText, formatAge(view.pod.metadata.creationTimestamp ?? Date.now())];
  if (withNamespace) row.unshift(view.pod.metadata.namespace ?? 'default');
  if (wide) row.push(view.pod.status.podIP ?? '<none>', view.pod.spec.nodeName ?? 'localhost', view.source === 'api' ? 'peapod' : view.source);
  return row;
}

export function podHeaders(wide: boolean, withNamespace: boolean): string[] {
  const headers = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'];
  if (withNamespace) headers.unshift('NAMESPACE');
  if (wide) headers.push('IP', 'NODE', 'OWNER');
  return headers;
}

export function registerGet(program: Command, ctx: () => CliContext): void {
  program
    .command('get')
    .description('list pods (kubectl get pods)')
    .argument('<resource>', 'pods')
    .argument('[name]', 'a pod name')
    .option('-o, --output <format>', 'wide|json|yaml')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-A, --all-namespaces', 'list pods in all namespaces')
    .option('-w, --watch', 'after listing, watch for changes')
    .action(async (resource: string, name: string | undefined, opts: GetOptions) => {
      if (!POD_WORDS.has(resource)) throw new PeapodError('InvalidArgument', `the server doesn't have a resource type "${resource}" (peapod serves: pods)`);
      const format = parseOutputFormat(opts.output);
      const api = await ctx().api();
      const namespace = opts.namespace ?? 'default';
      const views = name
        ? [await api.call<PodView>('GET', `/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`)]
        : await api.call<PodView[]>('GET', '/v1/pods', { query: opts.allNamespaces ? { all: true } : { namespace } });
      if (format === 'json' || format === 'yaml') {
        const value = name ? views[0]?.pod : { apiVersion: 'v1', kind: 'List', items: views.map((v) => v.pod) };
        process.stdout.write(formatStructured(value, format));
        return;
      }
      if (views.length === 0) {
        process.stderr.write(opts.allNamespaces ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
      } else {
        const wide = format === 'wide';
        const withNs = opts.allNamespaces === true;
        process.stdout.write(
          formatTable(
            podHeaders(wide, withNs),
            views.map((v) => podRow(v, wide, withNs)),
          ),
        );
      }
      if (opts.watch) await watchPods(ctx, namespace, opts.allNamespaces === true, format === 'wide', views);
    });
}

/** Prints a row whenever a pod's row changes (kubectl get -w), until interrupted. */
async function watchPods(ctx: () => CliContext, namespace: string, all: boolean, wide: boolean, initial: PodView[]): Promise<void> {
  const api = await ctx().api();
  const seen = new Map(initial.map((v) => [v.pod.metadata.uid ?? '', podRow(v, wide, all).join('\u0000')]));
  await api.stream<PodView, null>(
    'GET',
    '/v1/pods/watch',
    (view) => {
      const row = podRow(view, wide, all);
      const key = row.join('\u0000');
      const uid = view.pod.metadata.uid ?? '';
      if (seen.get(uid) === key) return;
      seen.set(uid, key);
      process.stdout.write(formatTable(podHeaders(wide, all), [row]).split('\n').slice(1).join('\n'));
    },
    { query: all ? { all: true } : { namespace } },
  );
}
