// `peapod debug POD -it --image busybox [--target C] -- sh`: adds an ephemeral container to a running pod
// (sharing the target container's PID namespace with --target) and, with -i, runs the command in it
// with this terminal, as kubectl debug does.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { DebugResult } from '../../api/routes/pods.js';
import { PeapodError } from '../../common/errors.js';
import { ExitCode } from '../exit-code.js';

interface DebugOptions {
  image?: string;
  target?: string;
  container?: string;
  stdin?: boolean;
  tty?: boolean;
  namespace: string;
}

export function registerDebug(program: Command, ctx: () => CliContext): void {
  program
    .command('debug')
    .description('add an ephemeral debug container to a running pod')
    .argument('<pod>', 'pod name')
    .argument('[command...]', 'command to run (after --); default sh')
    .requiredOption('--image <image>', 'image of the debug container')
    .option('--target <container>', 'share the PID namespace of this container')
    .option('-c, --container <name>', 'name of the debug container')
    .option('-i, --stdin', 'keep stdin open and attach to the command')
    .option('-t, --tty', 'allocate a TTY')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .action(async (pod: string, command: string[], opts: DebugOptions) => {
      if (opts.image === undefined) throw new PeapodError('InvalidArgument', '--image is required');
      const interactive = opts.stdin === true;
      const tty = opts.tty === true && process.stdin.isTTY === true;
      const api = await ctx().api();
      const result = await api.call<DebugResult>('POST', `/v1/namespaces/${encodeURIComponent(opts.namespace)}/pods/${encodeURIComponent(pod)}/debug`, {
        body: {
          image: opts.image,
          command,
          interactive,
          tty,
          ...(opts.target ? { target: opts.target } : {}),
          ...(opts.container ? { name: opts.container } : {}),
        },
      });
      process.stderr.write(`Defaulting debug container name to ${result.name}.\n`);
      const [file, ...args] = result.argv ?? [];
      if (file === undefined) return;
      const { spawn } = await import('node:child_process');
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(file, args, { stdio: 'inherit' });
        child.on('error', reject);
        child.on('close', (exitCode) => resolve(exitCode ?? 1));
      });
      if (code !== 0) throw new ExitCode(code);
    });
}
