// `peapod create job NAME --from=cronjob/NAME`: a Job from a CronJob's template, run now, as kubectl creates it
// (the CronJob as its controlling owner, annotation cronjob.kubernetes.io/instantiate: manual).
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { ApplyManifestsResult } from '../../api/routes/pods.js';
import { PeapodError } from '../../common/errors.js';
import type { CronJob, Job } from '../../kube/batch.js';

/** The Job kubectl's `create job --from=cronjob/...` builds. */
export function jobFromCronJob(name: string, cronJob: CronJob): Job {
  const template = cronJob.spec.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      ...(cronJob.metadata.namespace !== undefined ? { namespace: cronJob.metadata.namespace } : {}),
      annotations: { ...template.metadata?.annotations, 'cronjob.kubernetes.io/instantiate': 'manual' },
      ...(template.metadata?.labels ? { labels: template.metadata.labels } : {}),
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata.name, uid: cronJob.metadata.uid ?? '', controller: true }],
    },
    spec: template.spec,
  };
}

export function registerCreate(program: Command, ctx: () => CliContext): void {
  const create = program.command('create').description('create an object (kubectl create)');
  create
    .command('job')
    .description("create a Job from a CronJob's template (--from=cronjob/NAME)")
    .argument('<name>', 'the Job name')
    .requiredOption('--from <resource/name>', 'the CronJob to take the template from: cronjob/NAME')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .action(async (name: string, opts: { from: string; namespace: string }) => {
      const match = /^(?:cronjob|cronjobs|cj|cronjob\.batch)\/(.+)$/.exec(opts.from);
      if (!match) throw new PeapodError('InvalidArgument', `--from: ${JSON.stringify(opts.from)}: from must be an existing cronjob (cronjob/NAME)`);
      const api = await ctx().api();
      const ns = encodeURIComponent(opts.namespace);
      const cronJob = await api.call<CronJob>('GET', `/v1/namespaces/${ns}/objects/cronjobs/${encodeURIComponent(match[1] ?? '')}`);
      const exists = await api.call('GET', `/v1/namespaces/${ns}/objects/jobs/${encodeURIComponent(name)}`).then(
        () => true,
        (err: unknown) => !(err instanceof PeapodError && err.code === 'NotFound'),
      );
      if (exists) throw new PeapodError('AlreadyExists', `jobs.batch "${name}" already exists`);
      const job = jobFromCronJob(name, cronJob);
      const { warnings } = await api.call<ApplyManifestsResult>('POST', '/v1/apply/manifests', {
        body: { source: `create job ${name}`, sources: [{ file: `create job ${name}`, text: JSON.stringify(job) }], force: false },
      });
      for (const warning of warnings) process.stderr.write(`Warning: ${warning}\n`);
      process.stdout.write(`job.batch/${name} created\n`);
    });
}
