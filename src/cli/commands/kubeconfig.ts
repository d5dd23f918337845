// `peapod kubeconfig`: prints a kubeconfig (context `peapod`) for the daemon's Kubernetes API.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { paths } from '../../common/config.js';
import { PeapodError } from '../../common/errors.js';
import { readCredentials } from '../../kubeapi/credential-files.js';

export function registerKubeconfig(program: Command, ctx: () => CliContext): void {
  program
    .command('kubeconfig')
    .description('print a kubeconfig for kubectl (context "peapod"; it holds an admin credential, keep it private)')
    .action(async () => {
      const { config } = ctx();
      if (config.kubeApiPort === '' || config.kubeApiPort === '0') {
        throw new PeapodError('FailedPrecondition', 'the Kubernetes API is disabled (PEAPOD_KUBE_API_PORT is empty or 0)', {
          hint: 'set PEAPOD_KUBE_API_PORT (default 6443) and restart the daemon',
        });
      }
      // The daemon makes the credentials when it starts its Kubernetes API: start it if none runs.
      await ctx().api();
      const credentials = await readCredentials(paths(config).kubeApiCerts);
      if (!credentials)
        throw new PeapodError('FailedPrecondition', `no Kubernetes API credentials under ${paths(config).kubeApiCerts}`, {
          hint: 'restart the daemon with PEAPOD_KUBE_API_PORT set',
        });
      // Loaded here, not with the CLI: it brings the yaml library, which every other verb would compile.
      const { renderKubeconfig } = await import('../../kubeapi/kubeconfig.js');
      process.stdout.write(renderKubeconfig(credentials, config.kubeApiPort));
    });
}
