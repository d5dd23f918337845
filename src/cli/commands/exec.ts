// `peapod exec`: the daemon checks the pod and container and says which runtime command to run; the
// CLI runs it itself with the terminal inherited, so a TTY is real (resize, job control) and the exit
// code passes straight through — the way podman's client owns the terminal.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { ExecPlan } from '../../api/routes/pods.js';
import { PeapodError } from '../../common/errors.js';
import { ExitCode } from '../exit-code.js';

interface ExecOptions {
  container?: string;
  stdin?: boolean;
  tty?: boolean;
  namespace: string;
}

export function registerExec(program: Command, ctx: () => CliContext): void {
  program
    .command('exec')
    .description('run a command in a running container')
    .argument('<pod>', 'pod name')
    .argument('<command...>', 'command and arguments (after --)')
    .option('-c, --container <name>', 'container name (default: the first)')
    .option('-i, --stdin', 'pass stdin to the command')
    .option('-t, --tty', 'allocate a TTY')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .action(async (pod: string, command: string[], opts: ExecOptions) => {
      if (command.length === 0) throw new PeapodError('InvalidArgument', 'you must specify at least one command for the container');
      const tty = opts.tty === true && process.stdin.isTTY === true;
      if (opts.tty && !process.stdin.isTTY) process.stderr.write('Unable to use a TTY - input is not a terminal or the right kind of file\n');
      const api = await ctx().api();
      const plan = await api.call<ExecPlan>('POST', `/v1/namespaces/${encodeURIComponent(opts.namespace)}/pods/${encodeURIComponent(pod)}/exec`, {
        body: { container: opts.container, command, tty, stdin: opts.stdin === true },
      });
      const [file, ...args] = plan.argv;
      if (file === undefined) throw new PeapodError('Internal', 'the daemon returned an empty exec command');
      const { spawn } = await import('node:child_process');
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(file, args, { stdio: [opts.stdin ? 'inherit' : 'ignore', 'inherit', 'inherit'] });
        child.on('error', reject);
        child.on('close', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 + (signalNumber(signal) ?? 1) : 1)));
      });
      if (code !== 0) throw new ExitCode(code);
    });
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13 };
  return numbers[signal];
}
