import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { PeapodError } from '../../common/errors.js';
import { mapConcurrent } from '../../common/concurrency.js';
import { groupOf } from '../../kube/kinds/kind.js';
import { kindLookup, type KindLookup } from '../kinds.js';

interface DeleteOptions {
  filename?: string;
  namespace?: string;
  gracePeriod?: string;
  now?: boolean;
  force?: boolean;
  ignoreNotFound?: boolean;
  cascade?: string;
  wait?: boolean;
  timeout?: string;
}

interface Target {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** kubectl: --now is --grace-period=1; --force with --grace-period=0 deletes immediately. */
const NOW_GRACE_SECONDS = 1;
/** Deletes in flight at once: enough for every pod of a big manifest, bounded for the daemon's sake. */
const DELETE_CONCURRENCY = 32;
const WAIT_POLL_MS = 250;
/** The words of the kinds the kinds' table does not hold (a Map: `constructor` is not a kind). */
export const CORE_KINDS: ReadonlyMap<string, string> = new Map([
  ['pod', 'Pod'],
  ['pods', 'Pod'],
  ['po', 'Pod'],
  ['configmap', 'ConfigMap'],
  ['configmaps', 'ConfigMap'],
  ['cm', 'ConfigMap'],
  ['secret', 'Secret'],
  ['secrets', 'Secret'],
]);

/** kubectl's --cascade: background (default, also `true`), foreground, orphan (also `false`). */
export function cascadePolicy(value: string | undefined): 'Background' | 'Foreground' | 'Orphan' {
  switch (value ?? 'background') {
    case 'background':
    case 'true':
      return 'Background';
    case 'foreground':
      return 'Foreground';
    case 'orphan':
    case 'false':
      return 'Orphan';
    default:
      throw new PeapodError('InvalidArgument', `invalid cascade value (${String(value)}). Must be "background", "foreground", or "orphan"`);
  }
}

function kindOfWord(word: string, kinds: KindLookup): string {
  const core = CORE_KINDS.get(word.toLowerCase());
  if (core) return core;
  const info = kinds.kindForResource(word);
  if (!info) throw new PeapodError('InvalidArgument', `the server doesn't have a resource type "${word}"`);
  return info.kind;
}

/** `deployment.apps "web" deleted`, `pod "x" deleted`: kubectl's resource word. */
function label(kind: string, kinds: KindLookup): string {
  const info = kinds.kindInfo(kind);
  if (!info) return kind.toLowerCase();
  return groupOf(info) ? `${info.singular}.${groupOf(info)}` : info.singular;
}

function pathOf(t: Target, kinds: KindLookup): string {
  const ns = encodeURIComponent(t.namespace);
  const name = encodeURIComponent(t.name);
  if (t.kind === 'Pod') return `/v1/namespaces/${ns}/pods/${name}`;
  if (t.kind === 'ConfigMap' || t.kind === 'Secret') return `/v1/namespaces/${ns}/${t.kind === 'ConfigMap' ? 'configmaps' : 'secrets'}/${name}`;
  return `/v1/namespaces/${ns}/objects/${kinds.kindInfo(t.kind)?.plural ?? ''}/${name}`;
}

/** `deploy web`, `deploy/web`, `deploy/web rs/x`: the targets named on the command line. */
async function namedTargets(resource: string | undefined, names: string[], namespace: string): Promise<Target[]> {
  if (resource === undefined) throw new PeapodError('InvalidArgument', 'you must specify "TYPE NAME..." or -f FILE');
  const words = [resource, ...names];
  const pairs = words.every((w) => w.includes('/'));
  const kindWords = pairs ? words.map((w) => w.split('/', 2)[0] ?? '') : [resource];
  const kinds = await kindLookup(kindWords.some((w) => !CORE_KINDS.has(w.toLowerCase())));
  if (pairs) {
    return words.map((w) => {
      const [kindWord = '', name = ''] = w.split('/', 2);
      return { kind: kindOfWord(kindWord, kinds), namespace, name };
    });
  }
  if (names.length === 0) throw new PeapodError('InvalidArgument', 'resource(s) were provided, but no name was specified');
  const kind = kindOfWord(resource, kinds);
  return names.map((name) => ({ kind, namespace, name }));
}

const CORE_KIND_NAMES = new Set(CORE_KINDS.values());

export function registerDelete(program: Command, ctx: () => CliContext): void {
  program
    .command('delete')
    .description('delete pods, workloads, services, ... by name or by manifest')
    .argument('[resource]', 'pod|deployment|rs|sts|ds|job|cronjob|svc|pvc|... or TYPE/NAME')
    .argument('[names...]', 'names')
    .option('-f, --filename <path>', 'delete the objects in this manifest')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--grace-period <seconds>', 'seconds given to the pod to terminate gracefully')
    .option('--now', 'signal the pod to stop immediately (grace period 1)')
    .option('--force', 'with --grace-period=0: kill at once')
    .option('--ignore-not-found', 'treat "not found" as a successful delete')
    .option('--cascade <policy>', 'background|foreground|orphan: what happens to the dependents', 'background')
    .option('--no-wait', 'return at once instead of waiting until the objects are gone')
    .option('--timeout <seconds>', 'how long to wait for the objects to be gone', '300')
    .action(async (resource: string | undefined, names: string[], opts: DeleteOptions) => {
      const namespace = opts.namespace ?? 'default';
      const policy = cascadePolicy(opts.cascade);
      const targets: Target[] = [];
      if (opts.filename) {
        const { loadManifests } = await import('../../kube/load.js');
        const loaded = await loadManifests(opts.filename);
        for (const o of loaded.objects)
          targets.push({ kind: o.object.kind, namespace: o.object.metadata.namespace ?? namespace, name: o.object.metadata.name });
      } else targets.push(...(await namedTargets(resource, names, namespace)));
      const kinds = await kindLookup(targets.some((t) => !CORE_KIND_NAMES.has(t.kind)));
      let grace: number | undefined = opts.gracePeriod === undefined ? undefined : Number(opts.gracePeriod);
      if (opts.now) grace = NOW_GRACE_SECONDS;
      const api = await ctx().api();
      // All deletes at once (bounded), as kubectl issues them before waiting: each one waits for its pod's
      // grace period, so one at a time would make `delete -f` of N pods take N grace periods.
      const results = await mapConcurrent(targets, DELETE_CONCURRENCY, (t) =>
        api.call<{ deleted: boolean }>('DELETE', pathOf(t, kinds), { query: kinds.kindInfo(t.kind) ? { propagationPolicy: policy } : { gracePeriod: grace } }),
      );
      let missing = 0;
      targets.forEach((t, i) => {
        if (results[i]?.deleted === true) process.stdout.write(`${label(t.kind, kinds)} "${t.name}" deleted\n`);
        else if (!opts.ignoreNotFound) {
          missing++;
          process.stderr.write(`Error from server (NotFound): ${kinds.kindInfo(t.kind)?.plural ?? `${t.kind.toLowerCase()}s`} "${t.name}" not found\n`);
        }
      });
      if (opts.wait !== false)
        await waitGone(
          ctx,
          kinds,
          targets.filter((t, i) => results[i]?.deleted === true && kinds.kindInfo(t.kind)),
          Number(opts.timeout ?? 300) * 1000,
        );
      if (missing > 0 && !opts.filename) process.exitCode = 1;
    });
}

/** kubectl delete --wait: until each object is gone (a foreground deletion waits for its dependents). */
async function waitGone(ctx: () => CliContext, kinds: KindLookup, targets: readonly Target[], timeoutMs: number): Promise<void> {
  const api = await ctx().api();
  const deadline = Date.now() + timeoutMs;
  let left = [...targets];
  while (left.length > 0) {
    const still: Target[] = [];
    for (const t of left) {
      const exists = await api.call('GET', pathOf(t, kinds)).then(
        () => true,
        (err: unknown) => !(err instanceof PeapodError && err.code === 'NotFound'),
      );
      if (exists) still.push(t);
    }
    left = still;
    if (left.length === 0) return;
    if (Date.now() > deadline)
      throw new PeapodError('DeadlineExceeded', `timed out waiting for ${left.map((t) => `${label(t.kind, kinds)}/${t.name}`).join(', ')} to be deleted`);
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}
