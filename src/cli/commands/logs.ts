import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { PeapodError, isErrorCode } from '../../common/errors.js';

interface LogsOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tail?: string;
  timestamps?: boolean;
  namespace: string;
}

export function registerLogs(program: Command, ctx: () => CliContext): void {
  program
    .command('logs')
    .description("print a container's logs")
    .argument('<pod>', 'pod name')
    .argument('[container]', 'container name')
    .option('-c, --container <name>', 'container name')
    .option('-f, --follow', 'stream new lines until the container exits')
    .option('-p, --previous', "the previous instance's logs")
    .option('--tail <n>', 'only the last n lines', '-1')
    .option('--timestamps', 'prefix each line with its RFC3339Nano timestamp')
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .action(async (pod: string, positional: string | undefined, opts: LogsOptions) => {
      const tail = Number(opts.tail);
      if (!Number.isInteger(tail)) throw new PeapodError('InvalidArgument', `--tail: ${JSON.stringify(opts.tail)} is not an integer`);
      const api = await ctx().api();
      const container = opts.container ?? positional;
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      const res = await api.raw('GET', `/v1/namespaces/${encodeURIComponent(opts.namespace)}/pods/${encodeURIComponent(pod)}/log`, {
        query: {
          container,
          follow: opts.follow === true,
          previous: opts.previous === true,
          tail: tail >= 0 ? tail : undefined,
          timestamps: opts.timestamps === true,
        },
        signal: controller.signal,
      });
      if ((res.statusCode ?? 500) >= 400) {
        const chunks: Buffer[] = [];
        for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { code?: string; message?: string } };
        const code = isErrorCode(body.error?.code) ? body.error.code : 'Internal';
        throw new PeapodError(code, body.error?.message ?? `HTTP ${res.statusCode ?? 0}`);
      }
      try {
        for await (const chunk of res as AsyncIterable<Buffer>) process.stdout.write(chunk);
      } catch (err) {
        if (!controller.signal.aborted) throw err;
      }
    });
}
