import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { PeapodError } from '../../common/errors.js';
import { mapConcurrent } from '../../common/concurrency.js';

interface DeleteOptions {
  filename?: string;
  namespace?: string;
  gracePeriod?: string;
  now?: boolean;
  force?: boolean;
  ignoreNotFound?: boolean;
}

/** kubectl: --now is --grace-period=1; --force with --grace-period=0 deletes immediately. */
const NOW_GRACE_SECONDS = 1;
/** Deletes in flight at once: enough for every pod of a big manifest, bounded for the daemon's sake. */
const DELETE_CONCURRENCY = 32;

export function registerDelete(program: Command, ctx: () => CliContext): void {
  program
    .command('delete')
    .description('delete pods by name or by manifest')
    .argument('[resource]', 'pod|pods')
    .argument('[names...]', 'pod names')
    .option('-f, --filename <path>', 'delete the pods, configmaps and secrets in this manifest')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--grace-period <seconds>', 'seconds given to the pod to terminate gracefully')
    .option('--now', 'signal the pod to stop immediately (grace period 1)')
    .option('--force', 'with --grace-period=0: kill at once')
    .option('--ignore-not-found', 'treat "not found" as a successful delete')
    .action(async (resource: string | undefined, names: string[], opts: DeleteOptions) => {
      const targets: { kind: string; namespace: string; name: string }[] = [];
      if (opts.filename) {
        const { loadManifests } = await import('../../kube/load.js');
        const loaded = await loadManifests(opts.filename);
        for (const o of loaded.objects)
          targets.push({ kind: o.object.kind, namespace: o.object.metadata.namespace ?? opts.namespace ?? 'default', name: o.object.metadata.name });
      } else {
        if (resource === undefined || !['pod', 'pods', 'po'].includes(resource))
          throw new PeapodError('InvalidArgument', 'you must specify "pod NAME..." or -f FILE');
        if (names.length === 0) throw new PeapodError('InvalidArgument', 'resource(s) were provided, but no name was specified');
        for (const name of names) targets.push({ kind: 'Pod', namespace: opts.namespace ?? 'default', name });
      }
      let grace: number | undefined = opts.gracePeriod === undefined ? undefined : Number(opts.gracePeriod);
      if (opts.now) grace = NOW_GRACE_SECONDS;
      const api = await ctx().api();
      // All deletes at once (bounded), as kubectl issues them before waiting: each one waits for its pod's
      // grace period, so one at a time would make `delete -f` of N pods take N grace periods.
      const results = await mapConcurrent(targets, DELETE_CONCURRENCY, (t) => {
        const path =
          t.kind === 'Pod'
            ? `/v1/namespaces/${encodeURIComponent(t.namespace)}/pods/${encodeURIComponent(t.name)}`
            : `/v1/namespaces/${encodeURIComponent(t.namespace)}/${t.kind === 'ConfigMap' ? 'configmaps' : 'secrets'}/${encodeURIComponent(t.name)}`;
        return api.call<{ deleted: boolean }>('DELETE', path, { query: { gracePeriod: grace } });
      });
      let missing = 0;
      targets.forEach((t, i) => {
        const kind = t.kind.toLowerCase();
        if (results[i]?.deleted === true) process.stdout.write(`${kind} "${t.name}" deleted\n`);
        else if (!opts.ignoreNotFound) {
          missing++;
          process.stderr.write(`Error from server (NotFound): ${kind}s "${t.name}" not found\n`);
        }
      });
      if (missing > 0 && !opts.filename) process.exitCode = 1;
    });
}
