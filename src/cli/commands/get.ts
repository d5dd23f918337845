import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { PodView } from '../../api/routes/pods.js';
import { PeapodError } from '../../common/errors.js';
import { formatAge, formatStructured, formatTable, parseOutputFormat, type OutputFormat } from '../output.js';
import { kindLookup } from '../kinds.js';
import { fetchObjects, objectTable, type ObjectGetOptions } from './get-objects.js';

interface GetOptions {
  output?: string;
  namespace?: string;
  allNamespaces?: boolean;
  watch?: boolean;
}

export const POD_WORDS: ReadonlySet<string> = new Set(['pod', 'pods', 'po']);

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
    .description('list pods, deployments, replicasets, services, ... (kubectl get)')
    .argument(
      '<resource>',
      'pods, deployments|deploy, replicasets|rs, statefulsets|sts, daemonsets|ds, jobs, cronjobs|cj, services|svc, endpointslices, pvc, pv; several with commas',
    )
    .argument('[name]', 'an object name')
    .option('-o, --output <format>', 'wide|json|yaml')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-A, --all-namespaces', 'list pods in all namespaces')
    .option('-w, --watch', 'after listing, watch for changes')
    .action(async (resource: string, name: string | undefined, opts: GetOptions) => {
      const format = parseOutputFormat(opts.output);
      if (!POD_WORDS.has(resource)) return getObjects(ctx, resource, name, opts, format);
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

/** `get` of kube/kinds/ kinds, one or several (`deploy,rs,pods`), as kubectl prints them. */
async function getObjects(ctx: () => CliContext, resource: string, name: string | undefined, opts: GetOptions, format: OutputFormat): Promise<void> {
  const words = resource.split(',').filter((w) => w !== '');
  const kinds = await kindLookup(words.some((w) => !POD_WORDS.has(w)));
  const infos = words.map((w) => (POD_WORDS.has(w) ? 'pods' : (kinds.kindForResource(w) ?? w)));
  const unknown = infos.find((i): i is string => typeof i === 'string' && i !== 'pods');
  if (unknown !== undefined) throw new PeapodError('InvalidArgument', `the server doesn't have a resource type "${unknown}"`);
  if (opts.watch) throw new PeapodError('InvalidArgument', '--watch is supported for pods only');
  const api = await ctx().api();
  const options: ObjectGetOptions = { namespace: opts.namespace ?? 'default', all: opts.allNamespaces === true, format, qualified: words.length > 1 };
  const tables: string[] = [];
  const items: unknown[] = [];
  for (const info of infos) {
    if (info === 'pods') {
      const views = await api.call<PodView[]>('GET', '/v1/pods', { query: options.all ? { all: true } : { namespace: options.namespace } });
      items.push(...views.map((v) => v.pod));
      const nameAt = options.all ? 1 : 0;
      const rows = views.map((v) => podRow(v, format === 'wide', options.all).map((c, i) => (i === nameAt && options.qualified ? `pod/${c}` : c)));
      if (rows.length) tables.push(formatTable(podHeaders(format === 'wide', options.all), rows));
      continue;
    }
    if (typeof info === 'string') continue;
    const objects = await fetchObjects(api, info, name, options);
    items.push(...objects);
    if (objects.length) tables.push(objectTable(info, objects, options));
  }
  if (format === 'json' || format === 'yaml') {
    process.stdout.write(formatStructured(name !== undefined && items.length === 1 ? items[0] : { apiVersion: 'v1', kind: 'List', items }, format));
    return;
  }
  if (tables.length === 0) process.stderr.write(options.all ? 'No resources found\n' : `No resources found in ${options.namespace} namespace.\n`);
  else process.stdout.write(tables.join('\n'));
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
