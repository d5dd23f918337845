// `peapod rollout status|history|undo deployment/NAME` and `peapod scale`, as kubectl prints them.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { ObjectDescribeResult, RollbackResult } from '../../api/routes/objects.js';
import type { ApiObject } from '../../kube/kinds/index.js';
import { kindLookup } from '../kinds.js';
import type { Deployment, ReplicaSet } from '../../kube/kinds/apps.js';
import { PeapodError } from '../../common/errors.js';
import { formatTable } from '../output.js';
import { templateLines } from './describers/apps.js';

const REVISION = 'deployment.kubernetes.io/revision';
const CHANGE_CAUSE = 'kubernetes.io/change-cause';
const STATUS_POLL_MS = 500;

/** `deployment/web`, `deployment web`, `deploy/web`: only Deployments roll out here. */
async function deploymentName(target: string, name: string | undefined): Promise<string> {
  const [word = '', rest] = name === undefined ? target.split('/', 2) : [target, name];
  if ((await kindLookup(true)).kindForResource(word)?.kind !== 'Deployment')
    throw new PeapodError('InvalidArgument', `no rollout support for "${word}": peapod rolls out deployments`);
  if (!rest) throw new PeapodError('InvalidArgument', 'you must provide a deployment name (deployment/NAME)');
  return rest;
}

/** kubectl's DeploymentStatusViewer: the message, and whether the rollout is done. */
export function rolloutMessage(d: Deployment): { message: string; done: boolean } {
  const s = d.status ?? {};
  const name = d.metadata.name;
  const replicas = d.spec.replicas ?? 1;
  if ((d.metadata.generation ?? 1) > (s.observedGeneration ?? 0)) return { message: 'Waiting for deployment spec update to be observed...', done: false };
  if (s.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded'))
    throw new PeapodError('DeadlineExceeded', `deployment "${name}" exceeded its progress deadline`);
  const updated = s.updatedReplicas ?? 0;
  if (updated < replicas)
    return { message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`, done: false };
  if ((s.replicas ?? 0) > updated)
    return {
      message: `Waiting for deployment "${name}" rollout to finish: ${(s.replicas ?? 0) - updated} old replicas are pending termination...`,
      done: false,
    };
  if ((s.availableReplicas ?? 0) < updated)
    return {
      message: `Waiting for deployment "${name}" rollout to finish: ${s.availableReplicas ?? 0} of ${updated} updated replicas are available...`,
      done: false,
    };
  return { message: `deployment "${name}" successfully rolled out`, done: true };
}

/** `30s`, `5m`, `1h`, or plain seconds; 0 waits forever (kubectl's default). */
function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(text);
  if (!m) throw new PeapodError('InvalidArgument', `--timeout: ${JSON.stringify(text)}: expected a duration such as 30s, 5m or 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000;
  return Number(m[1]) * unit;
}

export function registerRollout(program: Command, ctx: () => CliContext): void {
  const rollout = program.command('rollout').description('manage the rollout of a deployment (status, history, undo)');
  const path = (ns: string, name: string, suffix = ''): string =>
    `/v1/namespaces/${encodeURIComponent(ns)}/objects/deployments/${encodeURIComponent(name)}${suffix}`;
  rollout
    .command('status')
    .description('watch a rollout until it finishes')
    .argument('<target>', 'deployment/NAME')
    .argument('[name]')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-w, --watch <bool>', 'watch until the rollout finishes', 'true')
    .option('--timeout <duration>', 'give up after this long (0: never)', '0s')
    .action(async (target: string, nameArg: string | undefined, opts: { namespace: string; watch: string; timeout: string }) => {
      const name = await deploymentName(target, nameArg);
      const timeoutMs = parseDuration(opts.timeout);
      const api = await ctx().api();
      const started = Date.now();
      let last = '';
      for (;;) {
        const { message, done } = rolloutMessage(await api.call<Deployment>('GET', path(opts.namespace, name)));
        if (message !== last) process.stdout.write(`${message}\n`);
        last = message;
        if (done || opts.watch === 'false') return;
        if (timeoutMs > 0 && Date.now() - started > timeoutMs) throw new PeapodError('DeadlineExceeded', 'timed out waiting for the condition');
        await new Promise((resolve) => setTimeout(resolve, STATUS_POLL_MS));
      }
    });
  rollout
    .command('history')
    .description('list the revisions of a deployment')
    .argument('<target>', 'deployment/NAME')
    .argument('[name]')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--revision <n>', 'show the pod template of this revision')
    .action(async (target: string, nameArg: string | undefined, opts: { namespace: string; revision?: string }) => {
      const name = await deploymentName(target, nameArg);
      const api = await ctx().api();
      const result = await api.call<ObjectDescribeResult>('GET', path(opts.namespace, name, '/describe'));
      const sets = result.owned.filter((o: ApiObject): o is ReplicaSet => o.kind === 'ReplicaSet');
      const revision = (rs: ReplicaSet): number => Number(rs.metadata.annotations?.[REVISION] ?? 0);
      if (opts.revision !== undefined) {
        const rs = sets.find((s) => revision(s) === Number(opts.revision));
        if (!rs) throw new PeapodError('NotFound', `unable to find the specified revision`);
        process.stdout.write(`deployment.apps/${name} with revision #${opts.revision}\n${templateLines(rs.spec.template).join('\n')}\n`);
        return;
      }
      const rows = sets.sort((a, b) => revision(a) - revision(b)).map((rs) => [String(revision(rs)), rs.metadata.annotations?.[CHANGE_CAUSE] ?? '<none>']);
      process.stdout.write(`deployment.apps/${name} \n${formatTable(['REVISION', 'CHANGE-CAUSE'], rows)}\n`);
    });
  rollout
    .command('undo')
    .description('roll back to the previous revision (or --to-revision)')
    .argument('<target>', 'deployment/NAME')
    .argument('[name]')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('--to-revision <n>', 'the revision to roll back to (0: the previous one)', '0')
    .action(async (target: string, nameArg: string | undefined, opts: { namespace: string; toRevision: string }) => {
      const name = await deploymentName(target, nameArg);
      const api = await ctx().api();
      const result = await api.call<RollbackResult>('POST', path(opts.namespace, name, '/rollback'), { body: { toRevision: Number(opts.toRevision) } });
      process.stdout.write(
        result.rolledBack
          ? `deployment.apps/${name} rolled back\n`
          : `deployment.apps/${name} skipped rollback (current template already matches revision ${result.revision})\n`,
      );
    });
}

export function registerScale(program: Command, ctx: () => CliContext): void {
  program
    .command('scale')
    .description('set the replicas of a deployment, replicaset or statefulset')
    .argument('<target>', 'deployment/NAME (or TYPE NAME)')
    .argument('[name]')
    .requiredOption('--replicas <n>', 'the new number of replicas')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .action(async (target: string, nameArg: string | undefined, opts: { replicas: string; namespace: string }) => {
      const [word = '', name] = nameArg === undefined ? target.split('/', 2) : [target, nameArg];
      const info = (await kindLookup(true)).kindForResource(word);
      if (!info) throw new PeapodError('InvalidArgument', `the server doesn't have a resource type "${word}"`);
      if (!name) throw new PeapodError('InvalidArgument', 'you must provide a name (TYPE/NAME)');
      const replicas = Number(opts.replicas);
      if (!/^\d+$/.test(opts.replicas))
        throw new PeapodError('InvalidArgument', `--replicas: ${JSON.stringify(opts.replicas)}: must be a non-negative integer`);
      const api = await ctx().api();
      await api.call('PUT', `/v1/namespaces/${encodeURIComponent(opts.namespace)}/objects/${info.plural}/${encodeURIComponent(name)}/scale`, {
        body: { replicas },
      });
      process.stdout.write(`${info.singular}${info.apiVersion.includes('/') ? `.${info.apiVersion.split('/')[0] ?? ''}` : ''}/${name} scaled\n`);
    });
}
