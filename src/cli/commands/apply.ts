import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { ApplyManifestsResult } from '../../api/routes/pods.js';
import { PeapodError } from '../../common/errors.js';

export function registerApply(program: Command, ctx: () => CliContext): void {
  program
    .command('apply')
    .description('create or update pods, configmaps, secrets, deployments, services, ... from a file, a directory (a whole app) or stdin (-)')
    .requiredOption('-f, --filename <path>', 'manifest file, directory, or - for stdin')
    .option('--force', 'delete and re-create pods whose change cannot be applied in place')
    .option('--wait', 'wait until the applied pods run (or finish)')
    .option('--timeout <seconds>', 'with --wait: give up after this long', '300')
    .action(async (opts: { filename: string; force?: boolean; wait?: boolean; timeout: string }) => {
      const timeoutSeconds = Number(opts.timeout);
      if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
        throw new PeapodError('InvalidArgument', `--timeout: ${JSON.stringify(opts.timeout)} must be a positive number of seconds`);
      // Only the files are read here; the daemon parses and validates (file:line errors included), which
      // spares every apply the YAML and schema modules' load time in a fresh CLI process.
      const { readManifestSources } = await import('../../kube/manifest-sources.js');
      const sources = await readManifestSources(opts.filename);
      const api = await ctx().api();
      const { results, warnings } = await api.call<ApplyManifestsResult>('POST', '/v1/apply/manifests', {
        body: { source: opts.filename, sources, force: opts.force === true, ...(opts.wait ? { waitMs: timeoutSeconds * 1000 } : {}) },
      });
      for (const warning of warnings) process.stderr.write(`Warning: ${warning}\n`);
      for (const r of results) process.stdout.write(`${r.kind}/${r.name} ${r.action}\n`);
    });
}
