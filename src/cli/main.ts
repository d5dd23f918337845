// peapod's command line: global flags, verb registration, and the one place errors become exit codes.
import { Command, CommanderError, Option } from 'commander';
import { CliContext, type GlobalFlags } from './context.js';
import { registerCommands } from './commands/index.js';
import { formatCliError } from './format-error.js';
import { PEAPOD_VERSION } from '../common/version.js';
import { ExitCode } from './exit-code.js';

export { formatCliError };

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function buildProgram(): Command {
  const program = new Command('peapod');
  let context: CliContext | undefined;
  program
    .description('Kubernetes pods on one Linux host')
    .version(PEAPOD_VERSION, '--version', 'print the client version')
    .addOption(new Option('--root <dir>', 'persistent state root').env('PEAPOD_ROOT'))
    .addOption(new Option('--run-root <dir>', 'volatile state root').env('PEAPOD_RUN_ROOT'))
    .addOption(new Option('--socket <path>', 'daemon API socket').env('PEAPOD_SOCKET'))
    .addOption(new Option('--cgroup-root <path>', 'cgroup parent of all pods').env('PEAPOD_CGROUP_ROOT'))
    .addOption(new Option('--bridge <name>', 'pod network bridge').env('PEAPOD_BRIDGE'))
    .addOption(new Option('--subnet <cidr>', 'pod network subnet').env('PEAPOD_SUBNET'))
    .addOption(new Option('--service-cidr <cidr>', 'range Service cluster IPs are allocated from').env('PEAPOD_SERVICE_CIDR'))
    .addOption(new Option('--manifest-dir <dir>', 'static pod manifest directory').env('PEAPOD_MANIFEST_DIR'))
    .addOption(new Option('--auth-file <path>', 'registry credentials (docker config.json format)').env('PEAPOD_AUTH_FILE'))
    .addOption(new Option('--cri-socket <path>', 'CRI gRPC socket ("" disables it)').env('PEAPOD_CRI_SOCKET'))
    .addOption(
      new Option('--streaming-address <host:port>', 'CRI streaming server for exec/attach/port-forward (port 0: any free port)').env(
        'PEAPOD_STREAMING_ADDRESS',
      ),
    )
    .addOption(new Option('--kube-api-port <port>', 'Kubernetes API port on 127.0.0.1 (empty or 0 disables it)').env('PEAPOD_KUBE_API_PORT'))
    .option('--insecure-registry <host[:port]>', 'allow plain http for this registry (repeatable)', collect)
    .showHelpAfterError()
    .exitOverride();
  const ctx = (): CliContext => {
    context ??= new CliContext(program.opts<GlobalFlags>());
    return context;
  };
  registerCommands(program, ctx);
  return program;
}

/** kubectl prints "error: ..." and exits 1 for every failure. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode;
  return 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    // A verb that reports partial failure (delete of a missing pod) sets process.exitCode itself.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed help or its own message
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : exitCodeFor(err);
    }
    if (err instanceof ExitCode) return err.code;
    process.stderr.write(formatCliError(err));
    return exitCodeFor(err);
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly || process.env['PEAPOD_CLI_MAIN'] === '1') {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(formatCliError(err));
      process.exitCode = 1;
    },
  );
}
